using System.Text.Json;
using Azure.Core;

namespace IntegrationHub.Secrets.Vault.Auth;

/// <summary>
/// Azure: a managed-identity access token for <see cref="VaultOptions.AzureResource"/> (obtained with
/// Azure.Identity), posted to <c>auth/azure/login</c> as <c>jwt</c> with the <c>role</c> and, when
/// configured, the <c>subscription_id</c>, <c>resource_group_name</c>, <c>vm_name</c>,
/// <c>vmss_name</c> and <c>resource_id</c> fields Vault's azure auth method documents.
/// </summary>
internal sealed class AzureAuthMethod(VaultTransport transport, TokenCredential credential) : VaultLoginMethod(transport)
{
    public override string Name => "azure";

    protected override async ValueTask<Action<Utf8JsonWriter>> LoginBodyAsync(CancellationToken cancellationToken)
    {
        var options = Transport.Options;
        AccessToken token;
        try
        {
            // "<resource>/.default" keeps the resource exactly as configured: Azure.Identity strips the suffix
            // for managed identity, and the token's audience must equal the resource Vault was configured with.
            token = await credential.GetTokenAsync(new TokenRequestContext([options.AzureResource + "/.default"]), cancellationToken);
        }
        catch (Exception e) when (e is Azure.Identity.AuthenticationFailedException or Azure.Identity.CredentialUnavailableException or Azure.RequestFailedException)
        {
            throw new VaultLoginException($"Azure login to Vault at {Transport.Host} could not get a managed-identity token for '{options.AzureResource}': {e.GetType().Name}.", e);
        }

        var jwt = token.Token;
        return w =>
        {
            w.WriteStartObject();
            w.WriteString("role", options.Role);
            w.WriteString("jwt", jwt);
            WriteIfSet(w, "subscription_id", options.AzureSubscriptionId);
            WriteIfSet(w, "resource_group_name", options.AzureResourceGroupName);
            WriteIfSet(w, "vm_name", options.AzureVmName);
            WriteIfSet(w, "vmss_name", options.AzureVmssName);
            WriteIfSet(w, "resource_id", options.AzureResourceId);
            w.WriteEndObject();
        };
    }

    private static void WriteIfSet(Utf8JsonWriter writer, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            writer.WriteString(name, value);
        }
    }
}
