using Bifrost.Domain.Conductor;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;

namespace Bifrost.Domain.Timeline;

/// <summary>What Bifrost is waiting for while a node is not in a stable state: the "why is it stuck?" answer.</summary>
/// <param name="State">The provision state waited in (wire spelling).</param>
/// <param name="WaitingFor">What must happen next, in words ("the agent to call back").</param>
/// <param name="Since">When the node entered the state (provision_updated_at).</param>
/// <param name="TimeoutOption">The Ironic option bounding the wait (deploy_callback_timeout), or null.</param>
/// <param name="Deadline">When the timeout sweep fails the node, or null when nothing bounds the wait.</param>
/// <param name="Message">One line for people: "waiting for the agent to call back (deadline in 27 min, deploy_callback_timeout)".</param>
public sealed record WaitReason(
    string State, string WaitingFor, DateTimeOffset? Since, string? TimeoutOption, DateTimeOffset? Deadline, string Message)
{
    /// <summary>Null when the node rests in a stable state (or a failure state) and waits for nobody but an operator.</summary>
    public static WaitReason? For(Node node, ConductorOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(options);
        var (what, option, timeout) = node.ProvisionState switch
        {
            // The three wait states the timeout sweep bounds (Conductor.Recovery), with Ironic's option names.
            ProvisionState.DeployWait => ("the agent to call back", "deploy_callback_timeout", options.DeployCallbackTimeout),
            ProvisionState.CleanWait => ("the agent to report its clean steps", "clean_callback_timeout", options.CleanCallbackTimeout),
            ProvisionState.InspectWait => ("the agent to post its inspection data", "inspect_wait_timeout", options.InspectWaitTimeout),
            // Working states: the conductor holds the lock and runs the step; start-up recovery fails them after a crash.
            ProvisionState.Verifying => ("the BMC to answer (power credentials check)", null, TimeSpan.Zero),
            ProvisionState.Deploying => ("the conductor to finish the deploy step", null, TimeSpan.Zero),
            ProvisionState.Cleaning => ("the conductor to finish cleaning", null, TimeSpan.Zero),
            ProvisionState.Inspecting => ("the conductor to finish inspection", null, TimeSpan.Zero),
            ProvisionState.Deleting => ("the conductor to tear the instance down", null, TimeSpan.Zero),
            ProvisionState.Adopting => ("the conductor to adopt the instance", null, TimeSpan.Zero),
            _ => ((string?)null, (string?)null, TimeSpan.Zero),
        };
        if (what is null)
            return node.TargetPowerState is { } power
                ? new WaitReason(node.ProvisionState.ToWire(), $"the power change to {power}", null, null, null,
                    $"waiting for the power change to {power}")
                : null;

        DateTimeOffset? deadline = option is not null && timeout > TimeSpan.Zero && node.ProvisionUpdatedAt is { } since
            ? since + timeout
            : null;
        var bound = option is null
            ? node.Reservation is { } holder ? $"lock held by {holder}" : "no lock held: the step is not running"
            : deadline is { } d
                ? d > now ? $"deadline in {Span(d - now)}, {option}" : $"deadline passed {Span(now - d)} ago, {option}; the next sweep fails it"
                : $"no deadline: {option} is 0";
        return new WaitReason(node.ProvisionState.ToWire(), what, node.ProvisionUpdatedAt, option, deadline,
            $"waiting for {what} ({bound})");
    }

    /// <summary>"45 s", "27 min", "3 h 5 min": rounded for people, never for scripts (they get the deadline).</summary>
    internal static string Span(TimeSpan t)
    {
        if (t < TimeSpan.FromMinutes(2)) return $"{(int)Math.Ceiling(t.TotalSeconds)} s";
        if (t < TimeSpan.FromHours(2)) return $"{(int)Math.Round(t.TotalMinutes)} min";
        return $"{(int)t.TotalHours} h {t.Minutes} min";
    }

    /// <summary>History event types that are boot hops: the newest one is the "last hop seen".</summary>
    public static readonly IReadOnlySet<string> HopTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        HistoryEventType.Dhcp, HistoryEventType.Tftp, HistoryEventType.Boot, HistoryEventType.Bmc,
        HistoryEventType.Agent,
    };
}
