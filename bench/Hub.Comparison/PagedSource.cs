using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IntegrationHub.Comparison;

/// <summary>
/// The job's source on loopback: <c>GET /records/{total}?page=P</c> answers page P (1-based) of a source of
/// <c>total</c> records as a JSON array of 1,000 records (~300 B each), and <c>[]</c> past the end. Other query
/// parameters (the hub's <c>per_page</c>) are ignored. Counts the records and pages it serves so every run can
/// be checked to have read everything.
/// </summary>
internal sealed class PagedSource : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _records;
    private long _pages;

    private PagedSource(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public long RecordsServed => Interlocked.Read(ref _records);

    public long PagesServed => Interlocked.Read(ref _pages);

    public static async Task<PagedSource> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        var source = new PagedSource(app);
        app.MapGet("/records/{total:long}", (HttpContext context, long total) => source.ServeAsync(context, total));
        await app.StartAsync();
        var address = app.Urls.First();
        source.BaseUrl = address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
        return source;
    }

    private async Task ServeAsync(HttpContext context, long total)
    {
        var page = long.TryParse(context.Request.Query["page"], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 1;
        context.Response.ContentType = "application/json";
        SourceRecords.WritePage(context.Response.BodyWriter, total, page);
        Interlocked.Add(ref _records, SourceRecords.CountOnPage(total, page));
        Interlocked.Increment(ref _pages);
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
