using System.Text.Json;
using IntegrationHub.Core.Flows;
using IntegrationHub.Core.Runs.Steps;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Core.Tests.Runs;

/// <summary>Issue 13, fault 11: flows are bounded in steps, names, settings and mapping depth; each refusal is a field error.</summary>
public sealed class FlowLimitsTests : IAsyncLifetime
{
    private EngineInstance _hub = null!;

    private StepTypeRegistry Steps => _hub.Services.GetRequiredService<StepTypeRegistry>();

    public async Task InitializeAsync() => _hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("limits"));

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Fact]
    public async Task A_flow_of_5000_steps_is_refused_on_steps()
    {
        var steps = Enumerable.Range(0, 5000).Select(i => new FlowStep { Name = $"s{i}", Type = "publish" }).ToList();

        var errors = await Steps.ValidateAsync("t1", steps, default);

        var error = Assert.Single(errors);
        Assert.Equal("steps", error.Field);
        Assert.Contains($"at most {StepTypeRegistry.MaxSteps}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flow_at_the_step_limit_is_accepted()
    {
        var steps = Enumerable.Range(0, StepTypeRegistry.MaxSteps).Select(i => new FlowStep { Name = $"s{i}", Type = "publish" }).ToList();

        Assert.Empty(await Steps.ValidateAsync("t1", steps, default));
    }

    [Fact]
    public async Task A_mapping_nested_60_levels_is_refused_with_a_field_error_under_the_step()
    {
        var mapping = "\"$.x\"";
        for (var i = 0; i < 60; i++)
        {
            mapping = $"{{\"n\":{mapping}}}";
        }

        var steps = new List<FlowStep>
        {
            new() { Name = "transform", Type = "transform", Mapping = JsonDocument.Parse(mapping).RootElement },
            new() { Name = "publish", Type = "publish" },
        };

        var errors = await Steps.ValidateAsync("t1", steps, default);

        Assert.Contains(errors, e => e.Field.StartsWith("steps[0].mapping.n.n", StringComparison.Ordinal) && e.Message.Contains("deeper than", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Step_names_and_settings_are_bounded()
    {
        var steps = new List<FlowStep>
        {
            new() { Name = new string('n', StepTypeRegistry.MaxStepNameLength + 1), Type = "publish" },
            new() { Name = "big", Type = "publish", Settings = JsonSerializer.SerializeToElement(new { blob = new string('x', StepTypeRegistry.MaxSettingsJsonLength) }) },
        };

        var errors = await Steps.ValidateAsync("t1", steps, default);

        Assert.Equal(["steps[0].name", "steps[1].settings"], errors.Select(e => e.Field).Order());
    }
}
