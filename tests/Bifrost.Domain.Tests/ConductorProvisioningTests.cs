using System.Text.Json.Nodes;
using Bifrost.Domain.Conductor;
using Bifrost.Domain.Drivers;
using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using NUnit.Framework;
using static Bifrost.Domain.States.ProvisionState;

namespace Bifrost.Domain.Tests;

public class ConductorProvisioningTests : ConductorFixture
{
    [Test]
    public async Task Deploy_sets_the_transitional_state_before_returning_then_reaches_active()
    {
        var node = await NodeIn(Available);
        Script.DeployGate = new TaskCompletionSource();

        await Conductor.RequestProvisionAsync(node.Uuid, "active", new ProvisionRequest());
        var during = await Reload(node);
        Assert.That(during.ProvisionState, Is.EqualTo(Deploying));
        Assert.That(during.TargetProvisionState, Is.EqualTo(Active));
        Assert.That(during.Reservation, Is.EqualTo("here"), "the background deploy holds the lock");

        Script.DeployGate.SetResult();
        var after = await Settled(node);
        Assert.That(after.ProvisionState, Is.EqualTo(Active));
        Assert.That(after.TargetProvisionState, Is.Null);
        Assert.That(after.Reservation, Is.Null);
    }

    [Test]
    public async Task A_request_on_a_locked_node_is_a_conflict()
    {
        var node = await NodeIn(Available);
        Script.DeployGate = new TaskCompletionSource();
        await Conductor.RequestProvisionAsync(node.Uuid, "deploy", new ProvisionRequest());

        var ex = Assert.ThrowsAsync<NodeLockedException>(() => Conductor.UpdateNodeAsync(node.Uuid, n => n.Description = "x"));
        Assert.That(ex!.Kind, Is.EqualTo(ErrorKind.Conflict));
        Assert.That(ex.Message, Does.Contain("is locked by host here"));
        Assert.ThrowsAsync<NodeLockedException>(() => Conductor.RequestPowerAsync(node.Uuid, "n", PowerStates.On, null));
        Script.DeployGate.SetResult();
        await Settled(node);
    }

    [Test]
    public async Task An_invalid_transition_is_refused_with_ironic_wording_and_changes_nothing()
    {
        var node = await NodeIn(Enroll);
        var ex = Assert.ThrowsAsync<InvalidStateRequestedException>(
            () => Conductor.RequestProvisionAsync(node.Uuid, "active", new ProvisionRequest()));
        Assert.That(ex!.Message, Is.EqualTo(
            $"The requested action \"active\" can not be performed on node \"{node.Uuid}\" while it is in state \"enroll\"."));
        var after = await Reload(node);
        Assert.That(after.ProvisionState, Is.EqualTo(Enroll));
        Assert.That(after.Reservation, Is.Null);
    }

    [Test]
    public async Task Maintenance_blocks_provisioning_but_not_power()
    {
        var node = await NodeIn(Available);
        await Conductor.SetMaintenanceAsync(node.Uuid, true, "disk swap");
        Assert.ThrowsAsync<NodeInMaintenanceException>(
            () => Conductor.RequestProvisionAsync(node.Uuid, "deploy", new ProvisionRequest()));
        await Conductor.RequestPowerAsync(node.Uuid, node.Uuid.ToString(), PowerStates.On, null);
        var after = await Settled(node);
        Assert.That(after.PowerState, Is.EqualTo(PowerStates.On));
        Assert.That(after.ProvisionState, Is.EqualTo(Available));
        Assert.That(after.MaintenanceReason, Is.EqualTo("disk swap"));
    }

    [Test]
    public async Task Deploy_that_waits_for_the_agent_lands_in_wait_call_back()
    {
        Script.Deploy = StepOutcome.Wait;
        var node = await NodeIn(Available);
        await Conductor.RequestProvisionAsync(node.Uuid, "deploy", new ProvisionRequest());
        var after = await Settled(node);
        Assert.That(after.ProvisionState, Is.EqualTo(DeployWait));
        Assert.That(after.TargetProvisionState, Is.EqualTo(Active));
        Assert.That(after.Reservation, Is.Null, "nobody holds the lock while waiting for the agent");
    }

    [Test]
    public async Task A_failing_deploy_ends_in_deploy_failed_naming_the_step_and_the_error()
    {
        Script.DeployError = new DriverOperationException("image checksum mismatch");
        var node = await NodeIn(Available);
        await Conductor.RequestProvisionAsync(node.Uuid, "deploy", new ProvisionRequest());
        var after = await Settled(node);
        Assert.That(after.ProvisionState, Is.EqualTo(DeployFailed));
        Assert.That(after.TargetProvisionState, Is.EqualTo(Active));
        Assert.That(after.LastError, Is.EqualTo("Deployment failed: image checksum mismatch"));
        Assert.That(after.Reservation, Is.Null);
    }

    [Test]
    public async Task Undeploy_tears_down_cleans_and_forgets_the_instance()
    {
        var node = await NodeIn(Active);
        await Conductor.UpdateNodeAsync(node.Uuid, n =>
        {
            n.InstanceInfo = new JsonObject { ["image_source"] = "img.raw" };
            n.InstanceUuid = Guid.NewGuid().ToString();
        });
        await Conductor.RequestProvisionAsync(node.Uuid, "undeploy", new ProvisionRequest());
        var after = await Settled(node);
        Assert.That(after.ProvisionState, Is.EqualTo(Available));
        Assert.That(after.InstanceInfo.Count, Is.Zero);
        Assert.That(after.InstanceUuid, Is.Null);
        Assert.That(Script.Calls, Is.EqualTo(new[] { "tear down", "clean automated" }));
    }

    [Test]
    public async Task A_failing_tear_down_ends_in_error()
    {
        Script.TearDownError = new DriverOperationException("BMC unreachable");
        var node = await NodeIn(Active);
        await Conductor.RequestProvisionAsync(node.Uuid, "deleted", new ProvisionRequest());
        var after = await Settled(node);
        Assert.That(after.ProvisionState, Is.EqualTo(ProvisionState.Error));
        Assert.That(after.LastError, Does.Contain("BMC unreachable"));
    }

    [Test]
    public async Task Automated_cleaning_can_be_turned_off_per_node()
    {
        var node = await NodeIn(Manageable);
        await Conductor.UpdateNodeAsync(node.Uuid, n => n.AutomatedClean = false);
        await Conductor.RequestProvisionAsync(node.Uuid, "provide", new ProvisionRequest());
        Assert.That((await Settled(node)).ProvisionState, Is.EqualTo(Available));
        Assert.That(Script.Calls, Is.Empty);
    }

    [Test]
    public async Task Manual_cleaning_runs_the_given_steps_and_returns_to_manageable()
    {
        var node = await NodeIn(Manageable);
        var steps = new List<JsonObject> { new() { ["interface"] = "deploy", ["step"] = "erase_devices_metadata" } };
        await Conductor.RequestProvisionAsync(node.Uuid, "clean", new ProvisionRequest { CleanSteps = steps });
        Assert.That((await Settled(node)).ProvisionState, Is.EqualTo(Manageable));
        Assert.That(Script.Calls, Is.EqualTo(new[] { "clean manual 1" }));
    }

    [Test]
    public async Task Clean_without_steps_is_refused()
    {
        var node = await NodeIn(Manageable);
        var ex = Assert.ThrowsAsync<BifrostException>(() => Conductor.RequestProvisionAsync(node.Uuid, "clean", new ProvisionRequest()));
        Assert.That(ex!.Message, Is.EqualTo("\"clean_steps\" is required when setting target provision state to clean"));
    }

    [Test]
    public async Task Abort_in_clean_wait_fails_cleaning_and_keeps_the_target()
    {
        var node = await NodeIn(CleanWait);
        await Conductor.RequestProvisionAsync(node.Uuid, "abort", new ProvisionRequest());
        var after = await Reload(node);
        Assert.That(after.ProvisionState, Is.EqualTo(CleanFailed));
        Assert.That(after.TargetProvisionState, Is.EqualTo(Available));
        Assert.That(after.LastError, Does.Contain("aborted"));
    }

    [Test]
    public async Task Inspection_records_start_and_finish()
    {
        var node = await NodeIn(Manageable);
        await Conductor.RequestProvisionAsync(node.Uuid, "inspect", new ProvisionRequest());
        var after = await Settled(node);
        Assert.That(after.ProvisionState, Is.EqualTo(Manageable));
        Assert.That(after.InspectionStartedAt, Is.Not.Null);
        Assert.That(after.InspectionFinishedAt, Is.Not.Null);
    }

    [Test]
    public async Task Verification_reads_the_power_state()
    {
        Script.PowerReading = PowerStates.On;
        var node = await NodeIn(Enroll);
        await Conductor.RequestProvisionAsync(node.Uuid, "manage", new ProvisionRequest());
        var after = await Settled(node);
        Assert.That(after.ProvisionState, Is.EqualTo(Manageable));
        Assert.That(after.PowerState, Is.EqualTo(PowerStates.On));
    }

    [Test]
    public async Task Failed_verification_returns_to_enroll_with_last_error()
    {
        Script.PowerError = new DriverOperationException("RAKP 2 HMAC is invalid: wrong password for BMC 10.0.0.5");
        var node = await NodeIn(Enroll);
        await Conductor.RequestProvisionAsync(node.Uuid, "manage", new ProvisionRequest());
        var after = await Settled(node);
        Assert.That(after.ProvisionState, Is.EqualTo(Enroll));
        Assert.That(after.TargetProvisionState, Is.Null);
        Assert.That(after.LastError, Does.Contain("RAKP 2 HMAC is invalid"));
    }

    [Test]
    public async Task Invalid_power_driver_info_fails_verification_without_touching_hardware()
    {
        var node = await NodeIn(Enroll);
        await Conductor.UpdateNodeAsync(node.Uuid, n => n.DriverInfo["broken"] = true);
        await Conductor.RequestProvisionAsync(node.Uuid, "manage", new ProvisionRequest());
        var after = await Settled(node);
        Assert.That(after.ProvisionState, Is.EqualTo(Enroll));
        Assert.That(after.LastError, Does.Contain("driver_info says broken"));
        Assert.That(Script.Calls, Is.Empty);
    }

    [Test]
    public async Task Every_transition_is_recorded_in_history()
    {
        var node = await NodeIn(Manageable);
        await Conductor.RequestProvisionAsync(node.Uuid, "provide", new ProvisionRequest());
        await Settled(node);
        var history = await Db.Store.ListHistoryAsync(node.Uuid);
        Assert.That(history.Select(h => h.Event), Is.EqualTo(new[]
        {
            "manageable → cleaning (target available) on provide",
            "cleaning → available (target none) on done",
        }));
        Assert.That(history.All(h => h.Conductor == "here" && h.EventType == HistoryEventType.Provisioning));
    }

    [Test]
    public async Task Power_change_sets_the_target_first_and_the_state_after()
    {
        var node = await NodeIn(Enroll);
        await Conductor.RequestPowerAsync(node.Uuid, "n", PowerStates.Rebooting, null);
        var after = await Settled(node);
        Assert.That(after.PowerState, Is.EqualTo(PowerStates.On));
        Assert.That(after.TargetPowerState, Is.Null);
        Assert.That(Script.Calls, Is.EqualTo(new[] { "power rebooting" }));
    }

    [Test]
    public async Task A_failed_power_change_sets_last_error_and_clears_the_target()
    {
        Script.PowerError = new DriverOperationException("BMC 10.0.0.5 unreachable");
        var node = await NodeIn(Enroll);
        await Conductor.RequestPowerAsync(node.Uuid, "n", PowerStates.On, null);
        var after = await Settled(node);
        Assert.That(after.TargetPowerState, Is.Null);
        Assert.That(after.LastError, Is.EqualTo(
            "Failed to change power state to 'power on' by 'power on'. Error: BMC 10.0.0.5 unreachable"));
        Assert.That(after.ProvisionState, Is.EqualTo(Enroll));
    }

    [Test]
    public async Task An_unknown_power_target_names_the_node_as_given()
    {
        var node = await NodeIn(Enroll, "n1");
        var ex = Assert.ThrowsAsync<InvalidStateRequestedException>(
            () => Conductor.RequestPowerAsync(node.Uuid, "n1", "sideways", null));
        Assert.That(ex!.Message, Is.EqualTo(
            "The requested action \"sideways\" can not be performed on node \"n1\" while it is in state \"None\"."));
    }

    [Test]
    public async Task Delete_is_refused_while_active_unless_in_maintenance()
    {
        var node = await NodeIn(Active);
        var ex = Assert.ThrowsAsync<BifrostException>(() => Conductor.DeleteNodeAsync(node.Uuid));
        Assert.That(ex!.Kind, Is.EqualTo(ErrorKind.Conflict));
        Assert.That(ex.Message, Is.EqualTo(
            $"Can not delete node \"{node.Uuid}\" while it is in provision state \"active\". Valid provision states to " +
            "perform deletion are: \"('manageable', 'enroll', 'adopt failed', 'available')\", or set the node into maintenance mode"));
        await Conductor.SetMaintenanceAsync(node.Uuid, true, null);
        await Conductor.DeleteNodeAsync(node.Uuid);
        Assert.That(await Db.Store.GetNodeAsync(node.Uuid), Is.Null);
    }

    [Test]
    public async Task Changing_driver_keeps_interfaces_only_if_the_new_type_has_them()
    {
        var node = await NodeIn(Enroll);
        Assert.ThrowsAsync<BifrostException>(() => Conductor.UpdateNodeAsync(node.Uuid, n => n.Driver = "fake-hardware"));
        var updated = await Conductor.UpdateNodeAsync(node.Uuid, n => n.Driver = "fake-hardware", resetInterfaces: true);
        Assert.That(updated.Interfaces.Deploy, Is.EqualTo("fake"));
        Assert.That(updated.Reservation, Is.Null);
    }

    [Test]
    public void Unknown_driver_uses_ironic_wording()
    {
        var ex = Assert.ThrowsAsync<BifrostException>(
            () => Conductor.CreateNodeAsync(new Node { Driver = "nope" }, Enroll));
        Assert.That(ex!.Message, Is.EqualTo(
            "No valid host was found. Reason: No conductor service registered which supports driver nope for conductor group \"\"."));
    }
}
