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
        if (!services.Any(d => d.ImplementationInstance is BoundSettingsSection b && b.Section == section && b.OptionsType == typeof(TOptions)))
        {
            services.AddSingleton(new BoundSettingsSection(section, typeof(TOptions)));
        }

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

/// <summary>
/// A configuration section some options class binds. Every <see cref="HubOptionsExtensions.AddHubOptions"/>
/// registers one, so the deployment consistency tests can list every setting the code reads and compare
/// it with <c>local.settings.sample.json</c> and the Bicep app settings.
/// </summary>
/// <param name="Section">The section, e.g. <c>Cosmos</c>.</param>
/// <param name="OptionsType">The class bound to it.</param>
public sealed record BoundSettingsSection(string Section, Type OptionsType)
{
    /// <summary>The app-setting names of the bindable properties: <c>Cosmos__Endpoint</c>, ...</summary>
    public IEnumerable<string> SettingNames => OptionsType
        .GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
        .Where(p => p.CanWrite && p.GetSetMethod() is not null)
        .Select(p => HubOptionsExtensions.SettingName(Section, p.Name));
}
