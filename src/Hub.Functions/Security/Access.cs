namespace IntegrationHub.Functions.Security;

/// <summary>Who may call an HTTP function. Functions are <c>Anonymous</c> at the Functions level; the hub checks its own keys.</summary>
public enum Access
{
    /// <summary>Anyone (health, metrics, the OpenAPI document, the dashboard's files).</summary>
    Anonymous,

    /// <summary>A caller acting for a tenant: a tenant API key, or an App Service principal carrying the tenant claim.</summary>
    Tenant,

    /// <summary>The operator: the admin key.</summary>
    Admin,

    /// <summary>A tenant caller or the operator (what the hub offers is no secret to either).</summary>
    TenantOrAdmin,
}

/// <summary>
/// Declares who may call an HTTP function, on its class or its method (the method's wins). A function
/// without it needs an authenticated caller of any kind. Read once per function by
/// <see cref="Middleware.AuthenticationMiddleware"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, Inherited = false)]
public sealed class RequiresAttribute(Access access) : Attribute
{
    /// <summary>The callers allowed.</summary>
    public Access Access { get; } = access;
}
