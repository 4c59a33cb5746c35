using Microsoft.Extensions.Hosting;
using IntegrationHub.Functions.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.AddHub();
await builder.Build().RunAsync();
