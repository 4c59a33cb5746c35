using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Shared.Configuration;

/// <summary>
/// Binds an options class to its configuration section and validates it when the host starts.
/// </summary>
/// <remarks>
/// <para>Errors name the setting the way an operator writes it: <c>Cosmos__Endpoint</c> in
/// <c>local.settings.json</c>, environment variables and the Function App's app settings, so the one
/// message a failed start prints is enough to fix it.</para>
/// <para>Durations are <see cref="TimeSpan"/> properties without a unit in their name (<c>Runs__StallAfter</c>,
/// written <c>hh:mm:ss</c>) bounded by <c>[Range(typeof(TimeSpan), min, max)]</c>. A setting still named the old
/// way, with the unit (<c>Runs__StallAfterSeconds</c>), would be silently ignored by the binder; it is refused
/// at start-up instead, naming the setting that replaces it.</para>
/// </remarks>
public static class HubOptionsExtensions
{
    /// <summary>Binds <typeparamref name="TOptions"/> to <paramref name="section"/>, validated by data annotations (and <see cref="IValidatableObject"/>) at start-up.</summary>
    public static OptionsBuilder<TOptions> AddHubOptions<TOptions>(this IServiceCollection services, string section)
        where TOptions : class
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, SectionValidator<TOptions>>(sp => new SectionValidator<TOptions>(section, sp.GetService<IConfiguration>())));
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

    /// <summary>The units duration settings were once named with (<c>Runs__StallAfterSeconds</c>); now refused.</summary>
    private static readonly string[] RetiredUnitSuffixes = ["Milliseconds", "Seconds", "Minutes", "Hours", "Days"];

    private sealed class SectionValidator<TOptions>(string section, IConfiguration? configuration) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
            var failures = results.Select(r =>
            {
                var members = r.MemberNames.Any() ? string.Join(", ", r.MemberNames.Select(m => SettingName(section, m))) : section;
                return $"Setting {members}: {r.ErrorMessage}";
            }).Concat(RetiredDurationSettings()).ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }

        private IEnumerable<string> RetiredDurationSettings()
        {
            if (configuration is null)
            {
                yield break;
            }

            var durations = typeof(TOptions).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
                .Where(p => p.PropertyType == typeof(TimeSpan) || p.PropertyType == typeof(TimeSpan?));
            foreach (var property in durations)
            {
                foreach (var unit in RetiredUnitSuffixes)
                {
                    if (configuration[$"{section}:{property.Name}{unit}"] is not null)
                    {
                        yield return $"Setting {SettingName(section, property.Name + unit)}: is no longer read; set {SettingName(section, property.Name)} as a duration (hh:mm:ss, e.g. 00:00:30) instead.";
                    }
                }
            }
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
