using IntegrationHub.Core.Errors;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Tests.Runs;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Core.Tests.Integrations;

/// <summary>An integration's schedule is validated on save with NCrontab plus the hub's rules: blank and never-firing schedules are refused on <c>schedule</c>.</summary>
public sealed class ScheduleValidationTests
{
    [Theory]
    [InlineData("0 0 0 30 2 *", "never fires")]
    [InlineData("   ", "cannot be blank")]
    [InlineData("0 0 9 * * 7", "[DayOfWeek] field")]
    public async Task A_schedule_that_cannot_fire_is_refused_on_the_schedule_field(string schedule, string expected)
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("schedval"));
        var service = hub.Services.GetRequiredService<IntegrationService>();

        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => service.CreateAsync("t1", new IntegrationDefinition("x", "sample", Schedule: schedule), default));

        var message = Assert.Single(refused.Errors["schedule"]);
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_valid_schedule_is_stored_trimmed_and_an_absent_one_means_on_demand()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("schedok"));
        var service = hub.Services.GetRequiredService<IntegrationService>();

        var scheduled = await service.CreateAsync("t1", new IntegrationDefinition("a", "sample", Schedule: " 0 0 9 * * 1/2 "), default);
        var onDemand = await service.CreateAsync("t1", new IntegrationDefinition("b", "sample"), default);

        Assert.Equal("0 0 9 * * 1/2", scheduled.Schedule);
        Assert.Null(onDemand.Schedule);
    }
}
