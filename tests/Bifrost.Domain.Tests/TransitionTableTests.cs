using Bifrost.Domain.Errors;
using Bifrost.Domain.States;
using NUnit.Framework;
using static Bifrost.Domain.States.ProvisionState;

namespace Bifrost.Domain.Tests;

public class TransitionTableTests
{
    private static IEnumerable<TestCaseData> Rows() =>
        TransitionTable.Rows.Select(r => new TestCaseData(r)
            .SetName($"{r.From.ToWire()} --{r.On.ToWire()}--> {r.To.ToWire()}: {r.Why}"));

    [TestCaseSource(nameof(Rows))]
    public void Every_row_fires_to_its_state(Transition row)
    {
        var result = StateMachine.Fire(row.From, null, row.On);
        Assert.That(result.To, Is.EqualTo(row.To));
        Assert.That(result.From, Is.EqualTo(row.From));
    }

    [Test]
    public void No_state_has_two_rows_for_one_event()
    {
        var duplicates = TransitionTable.Rows.GroupBy(r => (r.From, r.On)).Where(g => g.Count() > 1).Select(g => g.Key);
        Assert.That(duplicates, Is.Empty);
    }

    private static IEnumerable<TestCaseData> AbsentPairs() =>
        from state in ProvisionStates.All
        from ev in Enum.GetValues<ProvisionEvent>()
        where !TransitionTable.Rows.Any(r => r.From == state && r.On == ev)
        select new TestCaseData(state, ev).SetName($"{state.ToWire()} refuses {ev.ToWire()}");

    [TestCaseSource(nameof(AbsentPairs))]
    public void Everything_not_in_the_table_is_refused(ProvisionState state, ProvisionEvent ev)
    {
        Assert.That(StateMachine.CanFire(state, ev), Is.False);
        Assert.Throws<InvalidTransitionException>(() => StateMachine.Fire(state, null, ev));
    }

    [Test]
    public void Every_state_is_reachable_from_enroll()
    {
        var seen = new HashSet<ProvisionState> { Enroll };
        var queue = new Queue<ProvisionState>([Enroll]);
        while (queue.TryDequeue(out var s))
            foreach (var row in TransitionTable.Rows.Where(r => r.From == s))
                if (seen.Add(row.To)) queue.Enqueue(row.To);
        Assert.That(seen, Is.EquivalentTo(ProvisionStates.All));
    }

    [Test]
    public void Every_state_has_a_way_out()
    {
        var stuck = ProvisionStates.All.Where(s => TransitionTable.Rows.All(r => r.From != s));
        Assert.That(stuck, Is.Empty);
    }

    private static IEnumerable<TestCaseData> Targets()
    {
        TestCaseData Case(string name, ProvisionState from, ProvisionState? target, ProvisionEvent ev,
            ProvisionState? explicitTarget, ProvisionState to, ProvisionState? expected) =>
            new TestCaseData(from, target, ev, explicitTarget, to, expected).SetName(name);

        yield return Case("deploy: deploying targets active", Available, null, ProvisionEvent.Deploy, null, Deploying, Active);
        yield return Case("deploy failure keeps target active", Deploying, Active, ProvisionEvent.Fail, null, DeployFailed, Active);
        yield return Case("waiting for call-back targets active", Deploying, Active, ProvisionEvent.Wait, null, DeployWait, Active);
        yield return Case("provide: cleaning targets available", Manageable, null, ProvisionEvent.Provide, Available, Cleaning, Available);
        yield return Case("manual clean: cleaning targets manageable", Manageable, null, ProvisionEvent.Clean, Manageable, Cleaning, Manageable);
        yield return Case("clean wait carries the cleaning target", Cleaning, Manageable, ProvisionEvent.Wait, null, CleanWait, Manageable);
        yield return Case("clean failure keeps target available", CleanWait, Available, ProvisionEvent.Fail, null, CleanFailed, Available);
        yield return Case("undeploy: deleting targets available", Active, null, ProvisionEvent.Delete, null, Deleting, Available);
        yield return Case("deleting then cleaning still targets available", Deleting, Available, ProvisionEvent.Clean, null, Cleaning, Available);
        yield return Case("manage: verifying targets manageable", Enroll, null, ProvisionEvent.Manage, null, Verifying, Manageable);
        yield return Case("verification failure rests in enroll, no target", Verifying, Manageable, ProvisionEvent.Fail, null, Enroll, null);
        yield return Case("reaching active clears the target", Deploying, Active, ProvisionEvent.Done, null, Active, null);
        yield return Case("inspect failure keeps target manageable", Inspecting, Manageable, ProvisionEvent.Fail, null, InspectFailed, Manageable);
        yield return Case("adopt targets active", Manageable, null, ProvisionEvent.Adopt, null, Adopting, Active);
        yield return Case("tear down failure rests in error", Deleting, Available, ProvisionEvent.Error, null, ProvisionState.Error, null);
    }

    [TestCaseSource(nameof(Targets))]
    public void Target_provision_state_follows_ironic(ProvisionState from, ProvisionState? target, ProvisionEvent ev,
        ProvisionState? explicitTarget, ProvisionState to, ProvisionState? expected)
    {
        var result = StateMachine.Fire(from, target, ev, explicitTarget);
        Assert.That(result.To, Is.EqualTo(to));
        Assert.That(result.Target, Is.EqualTo(expected));
    }

    [Test]
    public void Abort_in_wait_call_back_fails_the_deploy_as_newer_ironic_does()
    {
        // Ironic 21.4 refused this (400); newer Ironic and issue 5 allow aborting a deploy waiting for its agent.
        Assert.That(StateMachine.Fire(DeployWait, ProvisionState.Active, ProvisionEvent.Abort, null).To, Is.EqualTo(DeployFailed));
    }
}
