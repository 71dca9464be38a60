using System.Diagnostics.Metrics;

namespace Bifrost.Domain.Agent;

/// <summary>The <c>Bifrost.Agent</c> meter: lookups and heartbeats by outcome (accepted, or why they were refused).</summary>
public static class AgentMetrics
{
    public static readonly Meter Meter = new("Bifrost.Agent");

    private static readonly Counter<long> Lookups =
        Meter.CreateCounter<long>("bifrost_agent_lookups", description: "Agent lookups by outcome");

    private static readonly Counter<long> Heartbeats =
        Meter.CreateCounter<long>("bifrost_agent_heartbeats", description: "Agent heartbeats by outcome");

    public static void Lookup(string outcome) => Lookups.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public static void Heartbeat(string outcome) => Heartbeats.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
