using System.Text.Json;

namespace IntegrationHub.Secrets.Vault.Auth;

/// <summary>AppRole: <c>POST auth/approle/login</c> with <c>role_id</c> and <c>secret_id</c>.</summary>
internal sealed class AppRoleAuthMethod(VaultTransport transport) : VaultLoginMethod(transport)
{
    public override string Name => "approle";

    protected override ValueTask<Action<Utf8JsonWriter>> LoginBodyAsync(CancellationToken cancellationToken)
    {
        var options = Transport.Options;
        return ValueTask.FromResult<Action<Utf8JsonWriter>>(w =>
        {
            w.WriteStartObject();
            w.WriteString("role_id", options.RoleId);
            w.WriteString("secret_id", options.SecretId);
            w.WriteEndObject();
        });
    }
}
