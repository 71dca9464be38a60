using Bifrost.Domain.Conductor;
using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using NUnit.Framework;

namespace Bifrost.Domain.Tests;

/// <summary>The power-state sync loop and the power-failure recovery (Ironic's _sync_power_states and
/// _power_failure_recovery), over the scripted hardware.</summary>
public sealed class PowerSyncTests : ConductorFixture
{
    [Test]
    public async Task A_power_change_behind_Bifrosts_back_updates_power_state_and_history()
    {
        var node = await NodeIn(ProvisionState.Manageable);
        node.PowerState = PowerStates.Off;
        await Db.Store.SaveNodeAsync(node);
        Script.PowerReading = PowerStates.On;

        var report = await Conductor.SyncPowerStatesAsync();

        Assert.That(report.Changed, Is.EqualTo(1));
        Assert.That((await Reload(node)).PowerState, Is.EqualTo(PowerStates.On));
        var history = await Db.Store.ListHistoryAsync(node.Uuid);
        var entry = history.Single(h => h.Event == "power state changed outside Bifrost: power off → power on");
        Assert.That(entry.EventType, Is.EqualTo(HistoryEventType.Power));
        Assert.That(entry.Severity, Is.EqualTo(HistorySeverity.Warning));
    }

    [Test]
    public async Task A_state_that_matches_records_nothing()
    {
        var node = await NodeIn(ProvisionState.Available);
        node.PowerState = PowerStates.Off;
        await Db.Store.SaveNodeAsync(node);
        var before = (await Db.Store.ListHistoryAsync(node.Uuid)).Count;

        var report = await Conductor.SyncPowerStatesAsync();

        Assert.That(report, Is.EqualTo(new PowerSyncReport(1, 0, 0, 0, 0)));
        Assert.That((await Db.Store.ListHistoryAsync(node.Uuid)).Count, Is.EqualTo(before));
    }

    [Test]
    public async Task Enrolled_nodes_wait_states_and_locked_nodes_are_left_alone()
    {
        var enrolled = await NodeIn(ProvisionState.Enroll);
        var waiting = await NodeIn(ProvisionState.DeployWait);
        var locked = await NodeIn(ProvisionState.Manageable);
        await Db.Store.TryReserveAsync(locked.Uuid, "someone-else");
        Script.PowerReading = PowerStates.On;

        var report = await Conductor.SyncPowerStatesAsync();

        Assert.That(report.Checked, Is.Zero);
        foreach (var n in new[] { enrolled, waiting, locked })
            Assert.That((await Reload(n)).PowerState, Is.Not.EqualTo(PowerStates.On), n.ProvisionState.ToWire());
    }

    [Test]
    public async Task After_max_retries_the_node_goes_into_maintenance_with_fault_power_failure()
    {
        Options.PowerStateSyncMaxRetries = 3;
        var node = await NodeIn(ProvisionState.Manageable);
        Script.PowerError = new DriverOperationException("node n at BMC 10.0.0.9:623: no answer");

        await Conductor.SyncPowerStatesAsync();
        await Conductor.SyncPowerStatesAsync();
        Assert.That((await Reload(node)).Maintenance, Is.False, "two failures are below the limit");
        var third = await Conductor.SyncPowerStatesAsync();

        var after = await Reload(node);
        Assert.That(third.PutInMaintenance, Is.EqualTo(1));
        Assert.That(after.Maintenance, Is.True);
        Assert.That(after.Fault, Is.EqualTo("power failure"));
        Assert.That(after.LastError, Does.Contain("no answer").And.Contain("3 consecutive"));
        Assert.That(after.MaintenanceReason, Does.Contain("max retries exceeded"));
        Assert.That(after.PowerState, Is.Null);
    }

    [Test]
    public async Task A_success_between_failures_resets_the_count()
    {
        Options.PowerStateSyncMaxRetries = 2;
        var node = await NodeIn(ProvisionState.Manageable);
        Script.PowerError = new DriverOperationException("timeout");
        await Conductor.SyncPowerStatesAsync();
        Script.PowerError = null;
        await Conductor.SyncPowerStatesAsync();
        Script.PowerError = new DriverOperationException("timeout");
        await Conductor.SyncPowerStatesAsync();

        Assert.That((await Reload(node)).Maintenance, Is.False);
    }

    [Test]
    public async Task Recovery_clears_maintenance_Bifrost_set_once_the_BMC_answers()
    {
        Options.PowerStateSyncMaxRetries = 1;
        var node = await NodeIn(ProvisionState.Manageable);
        Script.PowerError = new DriverOperationException("timeout");
        await Conductor.SyncPowerStatesAsync();
        Assert.That(await Conductor.RecoverPowerFailuresAsync(), Is.Zero, "still failing: stays in maintenance");
        Assert.That((await Reload(node)).Maintenance, Is.True);

        Script.PowerError = null;
        Script.PowerReading = PowerStates.On;
        Assert.That(await Conductor.RecoverPowerFailuresAsync(), Is.EqualTo(1));

        var after = await Reload(node);
        Assert.That(after.Maintenance, Is.False);
        Assert.That(after.Fault, Is.Null);
        Assert.That(after.MaintenanceReason, Is.Null);
        Assert.That(after.LastError, Is.Null);
        Assert.That(after.PowerState, Is.EqualTo(PowerStates.On));
    }

    [Test]
    public async Task Recovery_never_touches_maintenance_set_by_an_operator()
    {
        var node = await NodeIn(ProvisionState.Manageable);
        await Conductor.SetMaintenanceAsync(node.Uuid, true, "replacing a DIMM");
        Script.PowerReading = PowerStates.On;

        Assert.That(await Conductor.RecoverPowerFailuresAsync(), Is.Zero);
        var sync = await Conductor.SyncPowerStatesAsync();

        var after = await Reload(node);
        Assert.That(after.Maintenance, Is.True);
        Assert.That(after.MaintenanceReason, Is.EqualTo("replacing a DIMM"));
        Assert.That(sync.Checked, Is.Zero, "nodes in maintenance are not synced");
    }

    [Test]
    public async Task A_pass_covers_more_nodes_than_one_page()
    {
        var nodes = new List<Node>();
        for (var i = 0; i < 520; i++) nodes.Add(await NodeIn(ProvisionState.Available));
        Script.PowerReading = PowerStates.On;

        var report = await Conductor.SyncPowerStatesAsync();

        Assert.That(report.Checked, Is.EqualTo(520));
        Assert.That(report.Changed, Is.EqualTo(520));
    }
}
