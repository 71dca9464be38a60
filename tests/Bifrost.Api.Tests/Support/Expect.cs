using System.Text.Json;

namespace Bifrost.Api.Tests.Support;

/// <summary>Assertions on Ironic's error bodies: <c>{"error_message": "&lt;JSON string&gt;"}</c>.</summary>
public static class Expect
{
    /// <summary>An API-level error: one key error_message, whose inner JSON has faultcode/faultstring/debuginfo.</summary>
    public static void Fault(Reply reply, int status, string faultstring)
    {
        var inner = Inner(reply, status);
        Assert.Multiple(() =>
        {
            Assert.That(inner["faultstring"]?.GetValue<string>(), Is.EqualTo(faultstring), reply.ToString());
            Assert.That(inner["faultcode"]?.GetValue<string>(), Is.EqualTo(status >= 500 ? "Server" : "Client"));
            Assert.That(inner.ContainsKey("debuginfo") && inner["debuginfo"] is null, Is.True, "debuginfo: null");
        });
    }

    /// <summary>An API-level error whose faultstring starts with <paramref name="prefix"/> (hosts, versions vary).</summary>
    public static void FaultStartingWith(Reply reply, int status, string prefix)
    {
        var inner = Inner(reply, status);
        Assert.That(inner["faultstring"]?.GetValue<string>(), Does.StartWith(prefix), reply.ToString());
        Assert.That(inner["faultcode"]?.GetValue<string>(), Is.EqualTo(status >= 500 ? "Server" : "Client"));
    }

    /// <summary>Any error body of the right shape (fault or routing) with the given status.</summary>
    public static void Error(Reply reply, int status)
    {
        var inner = Inner(reply, status);
        Assert.That(inner.ContainsKey("faultstring") || inner.ContainsKey("description"), Is.True, reply.ToString());
    }

    /// <summary>A routing-level error: the inner JSON has code/title/description.</summary>
    public static void Routing(Reply reply, int status, string title, string? description = null)
    {
        var inner = Inner(reply, status);
        Assert.Multiple(() =>
        {
            Assert.That(inner["code"]?.GetValue<int>(), Is.EqualTo(status), reply.ToString());
            Assert.That(inner["title"]?.GetValue<string>(), Is.EqualTo(title), reply.ToString());
            if (description is not null)
                Assert.That(inner["description"]?.GetValue<string>(), Is.EqualTo(description), reply.ToString());
            else
                Assert.That(inner["description"]?.GetValueKind(), Is.EqualTo(JsonValueKind.String), reply.ToString());
        });
    }

    /// <summary>202/204: no body and no Content-Type (the CLI complains about JSON types on empty bodies).</summary>
    public static void Empty(Reply reply, int status)
    {
        Assert.Multiple(() =>
        {
            Assert.That(reply.Status, Is.EqualTo(status), reply.ToString());
            Assert.That(reply.Body, Is.Empty);
            Assert.That(reply.ContentType, Is.Null, "Content-Type of an empty answer");
        });
    }

    private static JsonObject Inner(Reply reply, int status)
    {
        Assert.That(reply.Status, Is.EqualTo(status), reply.ToString());
        Assert.That(reply.ContentType, Does.StartWith("application/json"), reply.ToString());
        var outer = reply.Object;
        Assert.That(outer.Select(kv => kv.Key), Is.EqualTo(new[] { "error_message" }), reply.ToString());
        Assert.That(outer["error_message"]?.GetValueKind(), Is.EqualTo(JsonValueKind.String), "error_message is a JSON string");
        var inner = JsonNode.Parse(outer["error_message"]!.GetValue<string>()) as JsonObject;
        Assert.That(inner, Is.Not.Null, "error_message holds a JSON object");
        return inner!;
    }
}
