using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using NUnit.Framework;
using static Bifrost.Domain.States.ProvisionState;

namespace Bifrost.Domain.Tests;

public class ConductorRecoveryTests : ConductorFixture
{
    private static IEnumerable<TestCaseData> StuckStates()
    {
        yield return new TestCaseData(Verifying, Enroll).SetName("restart during verifying → enroll");
        yield return new TestCaseData(Deploying, DeployFailed).SetName("restart during deploying → deploy failed");
        yield return new TestCaseData(Cleaning, CleanFailed).SetName("restart during cleaning → clean failed");
        yield return new TestCaseData(Inspecting, InspectFailed).SetName("restart during inspecting → inspect failed");
        yield return new TestCaseData(Deleting, ProvisionState.Error).SetName("restart during deleting → error");
        yield return new TestCaseData(Adopting, AdoptFailed).SetName("restart during adopting → adopt failed");
        // The agent's work cannot be trusted across a crash (docs/agent-protocol.md §4), so waits fail too.
        yield return new TestCaseData(DeployWait, DeployFailed).SetName("restart during wait call-back → deploy failed");
        yield return new TestCaseData(CleanWait, CleanFailed).SetName("restart during clean wait → clean failed");
        yield return new TestCaseData(InspectWait, InspectFailed).SetName("restart during inspect wait → inspect failed");
    }

    [TestCaseSource(nameof(StuckStates))]
    public async Task Start_up_recovery_fails_nodes_left_mid_step(ProvisionState stuck, ProvisionState expected)
    {
        var node = await NodeIn(stuck);
        Assert.That(await Db.Store.TryReserveAsync(node.Uuid, "here"), Is.True, "the crashed run held the lock");

        Assert.That(await Conductor.RecoverAsync(), Is.EqualTo(1));
        var after = await Reload(node);
        Assert.That(after.ProvisionState, Is.EqualTo(expected));
        Assert.That(after.Reservation, Is.Null);
        Assert.That(after.LastError, Is.EqualTo(
            $"Bifrost restarted while the node was in state \"{stuck.ToWire()}\"; that step did not finish."));
    }

    [Test]
    public async Task Recovery_leaves_stable_and_other_conductors_nodes_alone()
    {
        var active = await NodeIn(Active);
        var theirs = await NodeIn(Deploying);
        await Db.Store.TryReserveAsync(theirs.Uuid, "another-appliance");
        var ours = await NodeIn(Available);
        await Db.Store.TryReserveAsync(ours.Uuid, "here");

        Assert.That(await Conductor.RecoverAsync(), Is.Zero);
        Assert.That((await Reload(active)).ProvisionState, Is.EqualTo(Active));
        Assert.That((await Reload(theirs)).ProvisionState, Is.EqualTo(Deploying));
        Assert.That((await Reload(theirs)).Reservation, Is.EqualTo("another-appliance"));
        Assert.That((await Reload(ours)).Reservation, Is.Null, "our own stale lock is cleared");
    }

    private static IEnumerable<TestCaseData> Waits()
    {
        yield return new TestCaseData(DeployWait, DeployFailed, "deploy_callback_timeout",
            "Timeout reached while waiting for callback for node").SetName("wait call-back outliving deploy_callback_timeout → deploy failed");
        yield return new TestCaseData(CleanWait, CleanFailed, "clean_callback_timeout",
            "Timeout reached while cleaning the node").SetName("clean wait outliving clean_callback_timeout → clean failed");
        yield return new TestCaseData(InspectWait, InspectFailed, "inspect_wait_timeout",
            "Timeout reached while inspecting the node").SetName("inspect wait outliving inspect_wait_timeout → inspect failed");
    }

    [TestCaseSource(nameof(Waits))]
    public async Task The_sweep_fails_waits_that_outlive_their_timeout(
        ProvisionState wait, ProvisionState failed, string option, string text)
    {
        Options.DeployCallbackTimeout = Options.CleanCallbackTimeout = Options.InspectWaitTimeout = TimeSpan.FromSeconds(600);
        var node = await NodeIn(wait);

        Clock.Advance(TimeSpan.FromSeconds(599));
        Assert.That(await Conductor.CheckTimeoutsAsync(), Is.Zero, "not yet");
        Assert.That((await Reload(node)).ProvisionState, Is.EqualTo(wait));

        Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.That(await Conductor.CheckTimeoutsAsync(), Is.EqualTo(1));
        var after = await Reload(node);
        Assert.That(after.ProvisionState, Is.EqualTo(failed));
        Assert.That(after.LastError, Does.StartWith(text));
        Assert.That(after.LastError, Does.Contain($"{option} = 600 s"));
        Assert.That(after.Reservation, Is.Null);
    }

    [Test]
    public async Task A_zero_timeout_disables_the_sweep_for_that_wait()
    {
        Options.DeployCallbackTimeout = TimeSpan.Zero;
        var node = await NodeIn(DeployWait);
        Clock.Advance(TimeSpan.FromDays(30));
        Assert.That(await Conductor.CheckTimeoutsAsync(), Is.Zero);
        Assert.That((await Reload(node)).ProvisionState, Is.EqualTo(DeployWait));
    }

    [Test]
    public async Task The_sweep_skips_a_node_someone_is_working_on()
    {
        Options.DeployCallbackTimeout = TimeSpan.FromSeconds(1);
        var node = await NodeIn(DeployWait);
        await Db.Store.TryReserveAsync(node.Uuid, "here");
        Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.That(await Conductor.CheckTimeoutsAsync(), Is.Zero);
        await Db.Store.ReleaseAsync(node.Uuid, "here");
        Assert.That(await Conductor.CheckTimeoutsAsync(), Is.EqualTo(1));
    }
}
