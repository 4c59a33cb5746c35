using IntegrationHub.Connectors;

namespace IntegrationHub.Core.Errors;

/// <summary>Connector validation errors as API field errors, placed under the request field they came from.</summary>
public static class FieldErrors
{
    /// <summary>Field path to messages, each path prefixed with <paramref name="at"/> (<c>configuration.owner</c>; the whole object is <c>configuration</c> itself).</summary>
    public static Dictionary<string, string[]> Under(string at, IEnumerable<FieldError> errors) =>
        errors.GroupBy(e => Join(at, e.Field)).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());

    private static string Join(string at, string field) => field.Length == 0 ? at : field.StartsWith('[') ? at + field : $"{at}.{field}";
}
