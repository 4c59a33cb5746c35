using System.Text.Json;
using IntegrationHub.Secrets.OAuth;

namespace IntegrationHub.Secrets.Tests;

/// <summary>Secret values cannot leak by accident: ToString, JSON and records built on them stay masked.</summary>
public sealed class SecretValuesTests
{
    private static readonly SecretValues Values = SecretValues.From(new Dictionary<string, string>
    {
        ["api_key"] = "sk-live-51HxyzABCDEFGHabcd",
        ["pin"] = "4711",
    });

    [Fact]
    public void ToString_and_records_show_names_only()
    {
        var stored = new StoredSecret(Values, 3);

        Assert.Equal("SecretValues { api_key = ****, pin = **** }", Values.ToString());
        Assert.DoesNotContain("sk-live", stored.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("4711", stored.ToString(), StringComparison.Ordinal);
        Assert.Contains("Version = 3", stored.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Json_serialization_is_masked_and_deserialization_reads_real_values()
    {
        var json = JsonSerializer.Serialize(new { credential = "c1", values = Values });
        var read = JsonSerializer.Deserialize<SecretValues>("""{"api_key":"sk-new-value","pin":"1234"}""");

        Assert.Equal("""{"credential":"c1","values":{"api_key":"sk-\u2026abcd","pin":"****"}}""", json);
        Assert.Equal("sk-new-value", read!["api_key"]);
        Assert.Equal(2, read.Count);
    }

    [Fact]
    public void Masked_shows_at_most_a_prefix_and_the_last_four_of_long_values()
    {
        var masked = Values.Masked();

        Assert.Equal("sk-…abcd", masked["api_key"]);
        Assert.Equal("****", masked["pin"]);
    }

    [Fact]
    public void An_access_token_is_masked_in_ToString()
    {
        var token = new OAuthAccessToken("eyJhbGciOiJIUzI1NiJ9.payload.signature", "Bearer", DateTimeOffset.UnixEpoch);

        Assert.DoesNotContain("payload", token.ToString(), StringComparison.Ordinal);
        Assert.Equal("Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature", token.AuthorizationHeaderValue);
    }

    [Fact]
    public void Errors_about_values_name_the_value_never_its_content()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => Values["password"]);

        Assert.Contains("password", error.Message, StringComparison.Ordinal);
    }
}
