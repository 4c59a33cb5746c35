using System.Text.Json;

namespace IntegrationHub.Secrets.Vault.Auth;

/// <summary>
/// Kubernetes: <c>POST auth/kubernetes/login</c> with <c>role</c> and the pod's service-account
/// <c>jwt</c>. The token file is read at every login because the kubelet rotates projected tokens.
/// </summary>
internal sealed class KubernetesAuthMethod(VaultTransport transport) : VaultLoginMethod(transport)
{
    public override string Name => "kubernetes";

    protected override async ValueTask<Action<Utf8JsonWriter>> LoginBodyAsync(CancellationToken cancellationToken)
    {
        var options = Transport.Options;
        string jwt;
        try
        {
            jwt = (await File.ReadAllTextAsync(options.KubernetesJwtPath, cancellationToken)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VaultLoginException($"Kubernetes login to Vault at {Transport.Host} needs the service-account token at '{options.KubernetesJwtPath}' (Vault__KubernetesJwtPath), which cannot be read: {e.GetType().Name}.", e);
        }

        return w =>
        {
            w.WriteStartObject();
            w.WriteString("role", options.Role);
            w.WriteString("jwt", jwt);
            w.WriteEndObject();
        };
    }
}
