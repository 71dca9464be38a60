using Bifrost.Domain.Errors;

namespace Bifrost.Domain.States;

/// <summary>The outcome of firing an event: the new state and the target the node now reports.</summary>
public readonly record struct TransitionResult(ProvisionState From, ProvisionState To, ProvisionState? Target);

/// <summary>
/// The small engine that reads <see cref="TransitionTable"/>. It only computes; persisting and logging happen in the
/// conductor's single choke point (<see cref="Conductor.NodeTask.FireAsync"/>).
/// </summary>
public static class StateMachine
{
    private static readonly Dictionary<(ProvisionState, ProvisionEvent), ProvisionState> Table =
        TransitionTable.Rows.ToDictionary(r => (r.From, r.On), r => r.To);

    public static bool CanFire(ProvisionState from, ProvisionEvent ev) => Table.ContainsKey((from, ev));

    /// <summary>
    /// Target semantics follow Ironic's fsm: a stable state has no target; an explicit target wins; otherwise the
    /// state's declared target, else the target carried over from before (cleaning keeps available or manageable).
    /// </summary>
    public static TransitionResult Fire(
        ProvisionState from, ProvisionState? currentTarget, ProvisionEvent ev, ProvisionState? explicitTarget = null)
    {
        if (!Table.TryGetValue((from, ev), out var to))
            throw new InvalidTransitionException(from, ev);

        ProvisionState? target;
        if (to.IsStable()) target = null;
        else if (explicitTarget is not null) target = explicitTarget;
        else target = ProvisionStates.DeclaredTarget(to) ?? currentTarget;
        return new TransitionResult(from, to, target);
    }
}
