using System.Net;

namespace IntegrationHub.Jobs.Livy;

/// <summary>Livy failed a call: no answer, or an error status with Livy's message (<c>{"msg": ...}</c>).</summary>
public sealed class LivyException : JobEngineException
{
    /// <summary>Creates the exception.</summary>
    public LivyException(string message, HttpStatusCode? statusCode = null, Exception? innerException = null)
        : base("livy", message, statusCode, innerException)
    {
    }
}
