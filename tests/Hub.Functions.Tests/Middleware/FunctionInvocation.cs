using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Moq;

namespace IntegrationHub.Functions.Tests.Middleware;

/// <summary>
/// One invocation of an HTTP function as the worker hands it to middleware, built from Moq mocks: a
/// <see cref="FunctionContext"/> whose <see cref="FunctionDefinition"/> names a real function of the hub (the
/// middleware reads its attributes by entry point), whose <c>Items</c> carry the ASP.NET Core
/// <see cref="HttpContext"/> under the key <c>GetHttpContext()</c> reads ("HttpRequestContext"), and whose
/// features carry the worker's bindings feature, where <c>GetInvocationResult()</c> keeps the result.
/// IFunctionBindingsFeature is internal to Worker.Core, which grants its internals to Moq's proxy assembly
/// (DynamicProxyGenAssembly2): the mock is made through reflection and <c>SetupAllProperties</c>, so
/// <see cref="Result"/> reads and writes the very property the worker's extension uses.
/// </summary>
internal sealed class FunctionInvocation
{
    private static readonly Type BindingsFeatureType = typeof(FunctionContext).Assembly.GetTypes().Single(t => t.Name == "IFunctionBindingsFeature");
    private static readonly PropertyInfo InvocationResultProperty = BindingsFeatureType.GetProperty("InvocationResult")!;

    private readonly object _bindings;

    public FunctionInvocation(Type functionType, string method, string name, string trigger = "httpTrigger")
    {
        Http = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        Http.Response.Body = new MemoryStream();

        Definition = new Mock<FunctionDefinition>();
        Definition.SetupGet(d => d.EntryPoint).Returns($"{functionType.FullName}.{method}");
        Definition.SetupGet(d => d.Name).Returns(name);
        var binding = new Mock<BindingMetadata>();
        binding.SetupGet(b => b.Type).Returns(trigger);
        binding.SetupGet(b => b.Direction).Returns(BindingDirection.In);
        Definition.SetupGet(d => d.InputBindings).Returns(ImmutableDictionary<string, BindingMetadata>.Empty.Add("request", binding.Object));

        var bindingsMock = (Mock)Activator.CreateInstance(typeof(Mock<>).MakeGenericType(BindingsFeatureType))!;
        bindingsMock.GetType().GetMethod("SetupAllProperties")!.Invoke(bindingsMock, null);
        _bindings = bindingsMock.Object;
        var features = new Features();
        features.Set(BindingsFeatureType, _bindings);

        Context = new Mock<FunctionContext>();
        Context.SetupGet(c => c.FunctionDefinition).Returns(Definition.Object);
        Context.SetupGet(c => c.Items).Returns(new Dictionary<object, object> { ["HttpRequestContext"] = Http });
        Context.SetupGet(c => c.Features).Returns(features);
        Context.SetupGet(c => c.InvocationId).Returns(Guid.NewGuid().ToString());
        Context.SetupGet(c => c.CancellationToken).Returns(CancellationToken.None);
    }

    public Mock<FunctionContext> Context { get; }

    public Mock<FunctionDefinition> Definition { get; }

    public DefaultHttpContext Http { get; }

    /// <summary>The invocation result as the worker keeps it (what the function, or a middleware answering for it, returned).</summary>
    public object? Result
    {
        get => InvocationResultProperty.GetValue(_bindings);
        set => InvocationResultProperty.SetValue(_bindings, value);
    }

    /// <summary>Whether the next middleware (the function) ran.</summary>
    public bool NextRan { get; private set; }

    /// <summary>Runs <paramref name="middleware"/> with a next step that records it ran and does <paramref name="function"/>.</summary>
    public Task RunAsync(IFunctionsWorkerMiddleware middleware, Func<FunctionContext, Task>? function = null) =>
        middleware.Invoke(Context.Object, async context =>
        {
            NextRan = true;
            if (function is not null)
            {
                await function(context);
            }
        });

    /// <summary>Executes the result (an <see cref="IResult"/>) into the response, as the outermost middleware does; returns status and body.</summary>
    public async Task<(int Status, string Body)> ExecuteResultAsync()
    {
        var result = Assert.IsAssignableFrom<IResult>(Result);
        await result.ExecuteAsync(Http);
        Http.Response.Body.Position = 0;
        return (Http.Response.StatusCode, await new StreamReader(Http.Response.Body).ReadToEndAsync());
    }

    private sealed class Features : IInvocationFeatures
    {
        private readonly Dictionary<Type, object> _features = [];

        public void Set(Type type, object instance) => _features[type] = instance;

        public void Set<T>(T instance) => _features[typeof(T)] = instance!;

        public T? Get<T>() => _features.TryGetValue(typeof(T), out var feature) ? (T)feature : default;

        public IEnumerator<KeyValuePair<Type, object>> GetEnumerator() => _features.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
