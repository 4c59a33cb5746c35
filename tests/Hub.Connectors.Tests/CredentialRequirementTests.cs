using System.Text.Json;

namespace IntegrationHub.Connectors.Tests;

/// <summary>
/// Issue 13, fault 15: a connector asks for a credential only when its configuration needs one. The descriptor says
/// <see cref="CredentialRequirement"/>; <see cref="IConnector.RequiresCredential"/> answers for one configuration.
/// </summary>
public sealed class CredentialRequirementTests
{
    [Theory]
    [InlineData("github", CredentialRequirement.Required)]
    [InlineData("jira", CredentialRequirement.Required)]
    [InlineData("slack", CredentialRequirement.Required)]
    [InlineData("zulip", CredentialRequirement.Required)]
    [InlineData("rest", CredentialRequirement.DependsOnConfiguration)]
    [InlineData("sample", CredentialRequirement.None)]
    public async Task Each_descriptor_says_whether_it_takes_a_credential(string id, CredentialRequirement requirement)
    {
        await using var hub = Harness.Create();

        Assert.Equal(requirement, hub.Connector(id).Descriptor.Credential);
        Assert.Equal($"\"{requirement}\"", JsonSerializer.Serialize(requirement));
    }

    [Theory]
    [InlineData("rest", """{"url":"https://api.example.com/items"}""", false)]
    [InlineData("rest", """{"url":"https://api.example.com/items","auth":"none"}""", false)]
    [InlineData("rest", """{"url":"https://api.example.com/items","auth":"apiKey"}""", true)]
    [InlineData("rest", """{"url":"https://api.example.com/items","auth":"bearer"}""", true)]
    [InlineData("rest", """{"url":"https://api.example.com/items","auth":"basic"}""", true)]
    [InlineData("rest", """{"auth":"none","unknown":1}""", true)]
    [InlineData("github", """{"owner":"o","repository":"r"}""", true)]
    [InlineData("sample", """{}""", false)]
    public async Task A_credential_is_required_only_when_the_configuration_needs_one(string id, string configuration, bool required)
    {
        await using var hub = Harness.Create();

        Assert.Equal(required, hub.Connector(id).RequiresCredential(JsonDocument.Parse(configuration).RootElement));
    }

    [Fact]
    public async Task A_rest_source_without_auth_reads_with_no_credential()
    {
        using var api = new ScriptedApi();
        api.Json("/items", """{"items":[{"id":"a"}]}""");
        await using var hub = Harness.Create();
        var context = hub.Context(new { url = $"{api.Url}/items", recordSelector = "items", auth = "none" }) with { CredentialId = null };

        var pages = await Harness.ReadAsync(hub.Connector("rest"), context, "records");

        Assert.Equal(["a"], Harness.Ids(pages));
        Assert.False(api.Requests("/items")[0].Headers?.ContainsKey("Authorization") ?? false);
    }
}
