using System.Diagnostics.Metrics;

namespace Bifrost.Domain.Conductor;

/// <summary>
/// The conductor's instruments (meter <c>Bifrost.Conductor</c>), exported by /metrics like every <c>Bifrost.*</c>
/// meter. Counted at the one choke point, <see cref="NodeTask.FireAsync"/>, so no transition is missed or counted twice.
/// </summary>
internal static class ConductorMetrics
{
    public static readonly Meter Meter = new("Bifrost.Conductor");

    /// <summary>Provision state changes by <c>from</c>, <c>to</c> and <c>event</c> (wire spellings).</summary>
    public static readonly Counter<long> Transitions = Meter.CreateCounter<long>(
        "bifrost_conductor_provision_transitions", unit: null,
        description: "Provision state transitions, by from state, to state and event.");
}
