using IntegrationHub.Functions.Security;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace IntegrationHub.Functions.Http.Dashboard;

/// <summary>
/// The dashboard: the built single-page app (<c>web/dist</c>, shipped as <c>wwwroot/</c> beside the worker)
/// at <c>/</c>, on the API's origin so no CORS is needed. Files are answered with their content type;
/// Vite's content-hashed <c>/assets/*</c> are cached for a year (<c>immutable</c>, RFC 8246), everything
/// else is revalidated (<c>no-cache</c>); a path without a file extension is a client route and gets
/// <c>index.html</c>. Paths under <c>api/</c>, <c>admin/</c> and <c>runtime/</c> are never served here.
/// </summary>
[Requires(Access.Anonymous)]
public sealed class DashboardFunction
{
    /// <summary>The folder beside the worker that holds the built dashboard.</summary>
    public const string Folder = "wwwroot";

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();
    private readonly IFileProvider _files;

    /// <summary>Serves <see cref="Folder"/> beside the worker's assembly.</summary>
    public DashboardFunction()
        : this(new PhysicalFileProvider(Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, Folder)).FullName))
    {
    }

    /// <summary>Serves <paramref name="files"/>.</summary>
    public DashboardFunction(IFileProvider files) => _files = files;

    /// <summary><c>GET /{*path}</c>: a file of the dashboard, or its <c>index.html</c> for client routes; 404 for a missing file.</summary>
    [Function("Dashboard")]
    public async Task<IResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "{*path:regex(^(?!api/|api$|admin/|runtime/).*$)=index.html}")] HttpRequest request,
        string? path,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        path = string.IsNullOrEmpty(path) ? "index.html" : path;
        var file = _files.GetFileInfo(path);
        if ((!file.Exists || file.IsDirectory) && !Path.HasExtension(path))
        {
            file = _files.GetFileInfo("index.html");
            path = "index.html";
        }

        if (!file.Exists || file.IsDirectory)
        {
            return path == "index.html"
                ? Api.ApiProblems.Problem(StatusCodes.Status404NotFound, "The dashboard is not built.", "Run `npm ci && npm run build` in web/ (scripts/run.sh does it), then reload.")
                : TypedResults.NotFound();
        }

        if (!ContentTypes.TryGetContentType(file.Name, out var contentType))
        {
            contentType = "application/octet-stream";
        }

        request.HttpContext.Response.Headers[HeaderNames.CacheControl] = path.StartsWith("assets/", StringComparison.Ordinal)
            ? "public, max-age=31536000, immutable"
            : "no-cache";
        request.HttpContext.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        await using var stream = file.CreateReadStream();
        using var buffer = new MemoryStream((int)Math.Max(0, file.Length));
        await stream.CopyToAsync(buffer, cancellationToken);
        return TypedResults.Bytes(buffer.ToArray(), contentType, lastModified: file.LastModified);
    }
}
