using IntegrationHub.Pulsar.Topics;

namespace IntegrationHub.Pulsar.Tests.Topics;

public sealed class TopicNamesTests
{
    private static readonly PulsarOptions Options = new() { Tenant = "hub", Namespace = "events" };

    [Fact]
    public void A_stream_topic_follows_the_documented_scheme_with_unsafe_characters_replaced()
    {
        Assert.Equal("hub.acme-corp.github.pull-requests", TopicNames.ForStream("Acme Corp", "GitHub", "pull/requests"));
        Assert.Equal("persistent://hub/events/hub.acme.github.issues", TopicNames.Qualify(TopicNames.ForStream("acme", "github", "issues"), Options));
    }

    [Fact]
    public void Qualified_topics_are_kept_and_anything_else_is_rejected()
    {
        Assert.Equal("persistent://t/n/orders", TopicNames.Qualify("persistent://t/n/orders", Options));
        Assert.Throws<ArgumentException>(() => TopicNames.Qualify("non-persistent://t/n/orders", Options));
        Assert.Throws<ArgumentException>(() => TopicNames.Qualify("persistent://t/orders", Options));
        Assert.Throws<ArgumentException>(() => TopicNames.Qualify("n/orders", Options));
    }
}
