using System.Net;

namespace IntegrationHub.Jobs;

/// <summary>
/// An external job engine failed a call: it did not answer, or answered with an error. The message names the
/// engine, the call and the engine's own explanation; it never contains credentials.
/// </summary>
public abstract class JobEngineException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected JobEngineException(string engine, string message, HttpStatusCode? statusCode, Exception? innerException)
        : base(message, innerException)
    {
        Engine = engine;
        StatusCode = statusCode;
    }

    /// <summary>The engine: <c>n8n</c> or <c>livy</c>.</summary>
    public string Engine { get; }

    /// <summary>The HTTP status the engine answered with, or <see langword="null"/> when it did not answer.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>
    /// Whether trying the same call again later may succeed: no answer, a timeout, 408, 429 or a 5xx.
    /// A 4xx other than those means the request itself is wrong.
    /// </summary>
    public bool IsTransient => StatusCode is not { } status || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;
}
