using System.Text.Json;
using IntegrationHub.Core.Transforms;

namespace IntegrationHub.Core.Tests.Transforms;

/// <summary>The hub's JSONPath (RFC 9535 singular queries): what it selects, what it refuses and why.</summary>
public sealed class JsonPathTests
{
    private static readonly JsonElement Record = JsonDocument.Parse("""
        {"id":"1","x":null,"title":"T","fields":{"assignee":{"displayName":"Ada"}},"labels":[{"name":"bug"},{"name":"p1"}],
         "name with spaces":2,"a'b":3,"a\"b":4,"é":5,"0":6,"":7}
        """).RootElement;

    [Theory]
    [InlineData("$.title", "\"T\"")]
    [InlineData("$.fields.assignee.displayName", "\"Ada\"")]
    [InlineData("$.labels[0].name", "\"bug\"")]
    [InlineData("$.labels[-1].name", "\"p1\"")]
    [InlineData("$['name with spaces']", "2")]
    [InlineData("$[\"name with spaces\"]", "2")]
    [InlineData("$['a\\'b']", "3")]
    [InlineData("$[\"a\\\"b\"]", "4")]
    [InlineData("$.é", "5")]
    [InlineData("$['\\u00e9']", "5")]
    [InlineData("$['0']", "6")]
    [InlineData("$['']", "7")]
    [InlineData("$ .labels [ 1 ] .name", "\"p1\"")]
    [InlineData("$.x", "null")]
    [InlineData("$", null)]
    public void Selects_the_value_at_the_path(string text, string? expected)
    {
        Assert.True(JsonPath.TryParse(text, out var path, out var error), error);

        Assert.True(path!.TryEvaluate(Record, out var value));
        Assert.Equal(expected ?? Record.GetRawText(), value.GetRawText());
    }

    [Theory]
    [InlineData("$.missing")]
    [InlineData("$.labels[2]")]
    [InlineData("$.labels[-3]")]
    [InlineData("$.title.length")]
    [InlineData("$.title[0]")]
    [InlineData("$.fields[0]")]
    [InlineData("$.labels.name")]
    [InlineData("$.x.y")]
    public void Selects_nothing_where_nothing_is(string text)
    {
        Assert.True(JsonPath.TryParse(text, out var path, out var error), error);

        Assert.False(path!.TryEvaluate(Record, out _));
    }

    [Theory]
    [InlineData("title")]
    [InlineData("")]
    [InlineData(" $.a")]
    [InlineData("$.a ")]
    [InlineData("$.")]
    [InlineData("$.1a")]
    [InlineData("$. a")]
    [InlineData("$[01]")]
    [InlineData("$[-0]")]
    [InlineData("$[1.0]")]
    [InlineData("$[9007199254740992]")]
    [InlineData("$['a]")]
    [InlineData("$['a\\x']")]
    [InlineData("$['\\uD800']")]
    [InlineData("$[a]")]
    [InlineData("$['a'")]
    [InlineData("$.a b")]
    public void Refuses_what_RFC_9535_calls_invalid(string text)
    {
        Assert.False(JsonPath.TryParse(text, out _, out var error, out var unsupported));

        Assert.False(unsupported);
        Assert.NotNull(error);
    }

    [Theory]
    [InlineData("$.*")]
    [InlineData("$[*]")]
    [InlineData("$..a")]
    [InlineData("$[1:3]")]
    [InlineData("$[?@.a]")]
    [InlineData("$['a','b']")]
    [InlineData("$[0,1]")]
    public void Refuses_valid_queries_that_can_select_several_values_as_unsupported(string text)
    {
        Assert.False(JsonPath.TryParse(text, out _, out var error, out var unsupported));

        Assert.True(unsupported);
        Assert.Contains("selects one", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_length_and_segments()
    {
        Assert.False(JsonPath.TryParse("$" + string.Concat(Enumerable.Repeat(".a", JsonPath.MaxSegments + 1)), out _, out var segments));
        Assert.False(JsonPath.TryParse("$." + new string('a', JsonPath.MaxLength), out _, out var length));
        Assert.True(JsonPath.TryParse("$" + string.Concat(Enumerable.Repeat(".a", JsonPath.MaxSegments)), out _, out _));
        Assert.Contains("segments", segments, StringComparison.Ordinal);
        Assert.Contains("longer", length, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("title", "must start with '$' (the record).")]
    [InlineData("$.a ", "ends with blank space.")]
    [InlineData("$[01]", "has the index '01' at position 2: an index is 0 or a whole number without leading zeros (and not -0).")]
    [InlineData("$['a", "has an unclosed string at position 2.")]
    [InlineData("$['\\q']", "has the escape '\\q' at position 3, which JSONPath does not define.")]
    [InlineData("$. a", "has no name after '.' at position 1: a name starts with a letter, '_' or a non-ASCII character (use ['...'] for any other name).")]
    public void Tells_what_is_wrong_and_where(string text, string expected)
    {
        Assert.False(JsonPath.TryParse(text, out _, out var error));

        Assert.Equal($"'{text}' {expected}", error);
    }

    [Fact]
    public void A_surrogate_pair_escape_names_the_character_it_encodes()
    {
        var record = JsonDocument.Parse("""{"😀":"smile"}""").RootElement;
        Assert.True(JsonPath.TryParse("$['\\uD83D\\uDE00']", out var path, out var error), error);

        Assert.True(path!.TryEvaluate(record, out var value));
        Assert.Equal("smile", value.GetString());
    }

    [Theory]
    [InlineData("$[0]", "\"first\"")]
    [InlineData("$[-1].n", "2")]
    [InlineData("$[1]['n']", "2")]
    public void Indexes_a_record_that_is_an_array(string text, string expected)
    {
        var record = JsonDocument.Parse("""["first",{"n":2}]""").RootElement;
        Assert.True(JsonPath.TryParse(text, out var path, out var error), error);

        Assert.True(path!.TryEvaluate(record, out var value));
        Assert.Equal(expected, value.GetRawText());
    }

    [Fact]
    public void A_name_selects_nothing_on_an_array_and_an_index_nothing_on_an_object()
    {
        var array = JsonDocument.Parse("""[{"a":1}]""").RootElement;
        var record = JsonDocument.Parse("""{"0":"zero"}""").RootElement;
        Assert.True(JsonPath.TryParse("$.a", out var name, out _));
        Assert.True(JsonPath.TryParse("$[0]", out var index, out _));

        Assert.False(name!.TryEvaluate(array, out _));
        Assert.False(index!.TryEvaluate(record, out _));
    }
}
