using IntegrationHub.Functions.Hosting;

return await HubApplication.RunAsync(args);
