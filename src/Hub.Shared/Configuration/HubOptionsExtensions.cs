using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Shared.Configuration;

/// <summary>
/// Binds an options class to its configuration section and validates it when the host starts.
/// </summary>
/// <remarks>
/// Errors name the setting the way an operator writes it: <c>Cosmos__Endpoint</c> in
/// <c>local.settings.json</c>, environment variables and the Function App's app settings, so the one
/// message a failed start prints is enough to fix it.
/// </remarks>
public static class HubOptionsExtensions
{
    /// <summary>Binds <typeparamref name="TOptions"/> to <paramref name="section"/>, validated by data annotations (and <see cref="IValidatableObject"/>) at start-up.</summary>
    public static OptionsBuilder<TOptions> AddHubOptions<TOptions>(this IServiceCollection services, string section)
        where TOptions : class
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new SectionValidator<TOptions>(section)));
        return services.AddOptions<TOptions>()
            .BindConfiguration(section, o => o.ErrorOnUnknownConfiguration = false)
            .ValidateOnStart();
    }

    /// <summary>The app-setting name of a configuration key: <c>Cosmos:Endpoint</c> becomes <c>Cosmos__Endpoint</c>.</summary>
    public static string SettingName(string section, string member) => $"{section}:{member}".Replace(":", "__", StringComparison.Ordinal);

    private sealed class SectionValidator<TOptions>(string section) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
            if (results.Count == 0)
            {
                return ValidateOptionsResult.Success;
            }

            var failures = results.Select(r =>
            {
                var members = r.MemberNames.Any() ? string.Join(", ", r.MemberNames.Select(m => SettingName(section, m))) : section;
                return $"Setting {members}: {r.ErrorMessage}";
            });
            return ValidateOptionsResult.Fail(failures);
        }
    }
}
