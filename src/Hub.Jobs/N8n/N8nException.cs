using System.Net;

namespace IntegrationHub.Jobs.N8n;

/// <summary>n8n failed a call: no answer, or an error status with n8n's <c>message</c>. Never contains the API key.</summary>
public sealed class N8nException : JobEngineException
{
    /// <summary>Creates the exception.</summary>
    public N8nException(string message, HttpStatusCode? statusCode = null, Exception? innerException = null)
        : base("n8n", message, statusCode, innerException)
    {
    }
}
