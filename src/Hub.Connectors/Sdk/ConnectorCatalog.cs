namespace IntegrationHub.Connectors;

/// <summary>The connectors the hub offers.</summary>
public interface IConnectorCatalog
{
    /// <summary>Every connector's descriptor, ordered by display name.</summary>
    IReadOnlyList<ConnectorDescriptor> All { get; }

    /// <summary>The connector with <paramref name="id"/>, or <see langword="null"/>.</summary>
    IConnector? Find(string id);

    /// <summary>Descriptors in <paramref name="category"/> (any if null) whose id, name, description or category contains <paramref name="text"/> (any if null).</summary>
    IReadOnlyList<ConnectorDescriptor> Search(string? category, string? text);
}

/// <summary>
/// The catalog of registered <see cref="IConnector"/>s. When two registrations share an id the first wins,
/// so a test (or a deployment) that registers its own before <c>AddConnectors()</c> replaces a built-in.
/// </summary>
public sealed class ConnectorCatalog : IConnectorCatalog
{
    private readonly Dictionary<string, IConnector> _connectors = new(StringComparer.OrdinalIgnoreCase);

    public ConnectorCatalog(IEnumerable<IConnector> connectors)
    {
        ArgumentNullException.ThrowIfNull(connectors);
        foreach (var connector in connectors)
        {
            _connectors.TryAdd(connector.Descriptor.Id, connector);
        }

        All = _connectors.Values.Select(c => c.Descriptor).OrderBy(d => d.DisplayName, StringComparer.OrdinalIgnoreCase).ToList();
    }

    public IReadOnlyList<ConnectorDescriptor> All { get; }

    public IConnector? Find(string id) => _connectors.GetValueOrDefault(id);

    public IReadOnlyList<ConnectorDescriptor> Search(string? category, string? text) =>
        All.Where(d => string.IsNullOrWhiteSpace(category) || string.Equals(d.Category, category.Trim(), StringComparison.OrdinalIgnoreCase))
            .Where(d => string.IsNullOrWhiteSpace(text) || Matches(d, text.Trim()))
            .ToList();

    private static bool Matches(ConnectorDescriptor d, string text) =>
        d.Id.Contains(text, StringComparison.OrdinalIgnoreCase)
        || d.DisplayName.Contains(text, StringComparison.OrdinalIgnoreCase)
        || d.Description.Contains(text, StringComparison.OrdinalIgnoreCase)
        || d.Category.Contains(text, StringComparison.OrdinalIgnoreCase);
}
