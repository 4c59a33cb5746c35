using System.Text.Json;
using System.Text.Json.Nodes;
using IntegrationHub.Core.Transforms;

namespace IntegrationHub.Core.Tests.Transforms;

/// <summary>Record mappings: null is kept, missing is left out, defaults apply to both; templates alike; limits on save.</summary>
public sealed class RecordMappingTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    private static string Apply(string mapping, string record)
    {
        Assert.True(RecordMapping.TryCompile(Json(mapping), "mapping", out var compiled, out var errors), string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
        return compiled!.Apply(Json(record)).ToJsonString();
    }

    [Fact]
    public void A_present_null_is_kept_and_a_default_replaces_it()
    {
        Assert.Equal("""{"a":null,"b":"D"}""", Apply("""{"a":"$.x","b":{"path":"$.x","default":"D"}}""", """{"id":"1","x":null}"""));
    }

    [Fact]
    public void A_missing_value_is_left_out_unless_it_has_a_default()
    {
        Assert.Equal("""{"b":"D","c":null}""", Apply("""{"a":"$.x","b":{"path":"$.x","default":"D"},"c":{"path":"$.x","default":null}}""", """{"id":"1"}"""));
    }

    [Fact]
    public void A_present_value_wins_over_the_default()
    {
        Assert.Equal("""{"b":0,"c":false,"d":""}""", Apply("""{"b":{"path":"$.n","default":"D"},"c":{"path":"$.f","default":true},"d":{"path":"$.s","default":"D"}}""", """{"n":0,"f":false,"s":""}"""));
    }

    [Fact]
    public void Constants_keep_null()
    {
        Assert.Equal("""{"k":null,"v":{"x":[1]}}""", Apply("""{"k":{"const":null},"v":{"const":{"x":[1]}}}""", "{}"));
    }

    [Fact]
    public void Nested_mappings_build_nested_objects()
    {
        Assert.Equal("""{"author":{"name":"Ada","missing":null}}""", Apply("""{"author":{"name":"$.user.name","missing":"$.user.gone"}}""", """{"user":{"name":"Ada","gone":null}}"""));
    }

    [Theory]
    [InlineData("""{"number":7,"title":"Fix"}""", "#7: Fix")]
    [InlineData("""{"number":7,"title":null}""", "#7: n/a")]
    [InlineData("""{"number":7}""", "#7: n/a")]
    [InlineData("""{"title":{"a":1}}""", "#n/a: {\"a\":1}")]
    public void Templates_treat_missing_and_null_alike_and_use_the_default(string record, string expected)
    {
        var text = JsonNode.Parse(Apply("""{"t":{"template":"#{{$.number}}: {{ $.title }}","default":"n/a"}}""", record))!["t"]!.GetValue<string>();

        Assert.Equal(expected, text);
    }

    [Fact]
    public void A_template_without_a_default_puts_in_empty_text_never_the_word_null()
    {
        Assert.Equal("""{"t":"[]"}""", Apply("""{"t":{"template":"[{{$.x}}]"}}""", """{"x":null}"""));
    }

    [Fact]
    public void Every_bad_field_is_reported_by_its_path()
    {
        Assert.False(RecordMapping.TryCompile(Json("""{"a":"title","b":{"path":7},"c":{"template":"{{$..x}}"},"d":{"e":"$[01]"},"f":3,"g":{"template":"x","default":{"o":1}}}"""), "mapping", out _, out var errors));

        Assert.Equal(["mapping.a", "mapping.b.path", "mapping.c.template", "mapping.d.e", "mapping.f", "mapping.g.default"], errors.Keys.Order());
    }

    [Fact]
    public void A_mapping_nested_deeper_than_the_limit_is_refused_with_a_field_error()
    {
        var deep = "\"$.x\"";
        for (var i = 0; i < 60; i++)
        {
            deep = $"{{\"n\":{deep}}}";
        }

        Assert.False(RecordMapping.TryCompile(Json(deep), "mapping", out _, out var errors));
        var field = Assert.Single(errors).Key;
        Assert.StartsWith("mapping.n.n.", field, StringComparison.Ordinal);
        Assert.Contains($"deeper than {RecordMapping.MaxDepth}", errors[field][0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_mapping_at_the_depth_limit_is_accepted()
    {
        var deep = "\"$.x\"";
        for (var i = 0; i < RecordMapping.MaxDepth; i++)
        {
            deep = $"{{\"n\":{deep}}}";
        }

        Assert.True(RecordMapping.TryCompile(Json(deep), "mapping", out _, out _));
    }

    [Fact]
    public void Too_many_fields_or_too_much_json_is_refused()
    {
        var many = "{" + string.Join(",", Enumerable.Range(0, RecordMapping.MaxRules + 1).Select(i => $"\"f{i}\":\"$.x\"")) + "}";
        var large = "{\"k\":{\"const\":\"" + new string('x', RecordMapping.MaxJsonLength) + "\"}}";

        Assert.False(RecordMapping.TryCompile(Json(many), "mapping", out _, out var manyErrors));
        Assert.False(RecordMapping.TryCompile(Json(large), "mapping", out _, out var largeErrors));
        Assert.Contains(manyErrors.Values, m => m[0].Contains("at most", StringComparison.Ordinal));
        Assert.Equal(["mapping"], largeErrors.Keys);
    }

    [Theory]
    [InlineData("\"$.x\"")]
    [InlineData("[]")]
    [InlineData("null")]
    public void A_mapping_that_is_not_an_object_is_refused_at_its_own_field(string mapping)
    {
        Assert.False(RecordMapping.TryCompile(Json(mapping), "mapping", out _, out var errors));

        Assert.Equal("must be an object mapping output fields to paths, constants, templates or nested mappings.", Assert.Single(errors["mapping"]));
    }

    [Fact]
    public void A_template_with_an_unclosed_placeholder_is_refused()
    {
        Assert.False(RecordMapping.TryCompile(Json("""{"t":{"template":"Hello {{$.name"}}"""), "mapping", out _, out var errors));

        Assert.Equal("has '{{' without a matching '}}'.", Assert.Single(errors["mapping.t.template"]));
    }

    [Fact]
    public void Templates_put_numbers_booleans_and_arrays_in_as_json_and_strings_as_their_text()
    {
        var text = JsonNode.Parse(Apply("""{"t":{"template":"{{$.n}}|{{$.b}}|{{$.a}}|{{$.s}}"}}""", """{"n":1.50,"b":true,"a":[1,"x"],"s":"q\"uote"}"""))!["t"]!.GetValue<string>();

        Assert.Equal("1.50|true|[1,\"x\"]|q\"uote", text);
    }

    [Fact]
    public void A_number_default_in_a_template_is_put_in_as_its_json()
    {
        var text = JsonNode.Parse(Apply("""{"t":{"template":"count={{$.count}}","default":0}}""", "{}"))!["t"]!.GetValue<string>();

        Assert.Equal("count=0", text);
    }

    [Fact]
    public void A_path_to_an_object_or_array_copies_it_whole_and_array_indexes_select_elements()
    {
        Assert.Equal(
            """{"who":{"name":"Ada","langs":["en","fr"]},"last":"fr","first":"en"}""",
            Apply("""{"who":"$.user","last":"$.user.langs[-1]","first":"$['user']['langs'][0]"}""", """{"user":{"name":"Ada","langs":["en","fr"]}}"""));
    }

    [Fact]
    public void A_nested_mapping_whose_values_are_all_missing_is_an_empty_object_not_left_out()
    {
        Assert.Equal("""{"author":{}}""", Apply("""{"author":{"name":"$.user.name"}}""", """{"id":"1"}"""));
    }

    [Fact]
    public void A_default_keeps_its_json_type()
    {
        Assert.Equal("""{"n":0,"b":false,"o":{"k":[1]}}""", Apply("""{"n":{"path":"$.x","default":0},"b":{"path":"$.x","default":false},"o":{"path":"$.x","default":{"k":[1]}}}""", "{}"));
    }
}
