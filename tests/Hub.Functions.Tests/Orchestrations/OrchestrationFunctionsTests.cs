using System.Reflection;
using System.Text.Json;
using IntegrationHub.Functions.Orchestrations;
using IntegrationHub.Functions.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace IntegrationHub.Functions.Tests.Orchestrations;

/// <summary>Every orchestrator and activity class has its hand-written <c>[Function]</c> wrapper, and the build's functions.metadata lists it with the right trigger.</summary>
public sealed class OrchestrationFunctionsTests
{
    private static readonly Assembly App = typeof(RunOrchestrator).Assembly;

    public static TheoryData<string> DurableTasks()
    {
        var data = new TheoryData<string>();
        foreach (var type in App.GetTypes().Where(t => t.GetCustomAttribute<DurableTaskAttribute>() is not null))
        {
            data.Add(type.FullName!);
        }

        return data;
    }

    [Fact]
    public void The_run_orchestrator_and_its_five_activities_are_durable_tasks()
    {
        Assert.Equal(6, DurableTasks().Count);
    }

    [Theory]
    [MemberData(nameof(DurableTasks))]
    public void Each_durable_task_has_a_function_of_its_name_with_the_matching_trigger(string typeName)
    {
        var type = App.GetType(typeName)!;
        var name = type.GetCustomAttribute<DurableTaskAttribute>()!.Name!.Name;
        var orchestrator = typeof(ITaskOrchestrator).IsAssignableFrom(type);
        var trigger = orchestrator ? typeof(OrchestrationTriggerAttribute) : typeof(ActivityTriggerAttribute);

        var wrappers = App.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<FunctionAttribute>()?.Name == name)
            .ToList();
        var wrapper = Assert.Single(wrappers);
        Assert.Contains(wrapper.GetParameters(), p => p.GetCustomAttribute(trigger) is not null);

        using var metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(FunctionsBuild.OutputDirectory, "functions.metadata")));
        var function = Assert.Single(metadata.RootElement.EnumerateArray(), f => f.GetProperty("name").GetString() == name);
        Assert.Contains(function.GetProperty("bindings").EnumerateArray(), b => b.GetProperty("type").GetString() == (orchestrator ? "orchestrationTrigger" : "activityTrigger"));
    }
}
