using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using NUnit.Framework;

namespace Bifrost.Domain.Tests;

/// <summary>
/// Values written to databases and shown on the wire. Changing one silently breaks existing databases and clients:
/// if this test fails, write a migration instead of editing the expected values.
/// </summary>
public class PersistedValuesTests
{
    private static readonly Dictionary<ProvisionState, string> Frozen = new()
    {
        [ProvisionState.Enroll] = "enroll",
        [ProvisionState.Verifying] = "verifying",
        [ProvisionState.Manageable] = "manageable",
        [ProvisionState.Inspecting] = "inspecting",
        [ProvisionState.InspectWait] = "inspect wait",
        [ProvisionState.InspectFailed] = "inspect failed",
        [ProvisionState.Cleaning] = "cleaning",
        [ProvisionState.CleanWait] = "clean wait",
        [ProvisionState.CleanFailed] = "clean failed",
        [ProvisionState.Available] = "available",
        [ProvisionState.Deploying] = "deploying",
        [ProvisionState.DeployWait] = "wait call-back",
        [ProvisionState.DeployFailed] = "deploy failed",
        [ProvisionState.Active] = "active",
        [ProvisionState.Deleting] = "deleting",
        [ProvisionState.Error] = "error",
        [ProvisionState.Adopting] = "adopting",
        [ProvisionState.AdoptFailed] = "adopt failed",
    };

    [Test]
    public void Every_provision_state_has_its_frozen_wire_name()
    {
        Assert.That(ProvisionStates.All, Is.EquivalentTo(Frozen.Keys), "a state was added: freeze its wire name here");
        foreach (var (state, wire) in Frozen)
        {
            Assert.That(state.ToWire(), Is.EqualTo(wire));
            Assert.That(ProvisionStates.Parse(wire), Is.EqualTo(state));
        }
    }

    [Test]
    public void Power_states_keep_ironic_spelling()
    {
        Assert.That(new[] { PowerStates.On, PowerStates.Off, PowerStates.Error },
            Is.EqualTo(new[] { "power on", "power off", "error" }));
        Assert.That(PowerStates.Targets,
            Is.EqualTo(new[] { "power on", "power off", "rebooting", "soft power off", "soft rebooting" }));
    }

    [Test]
    public void Api_verbs_map_to_events_including_aliases()
    {
        var expected = new Dictionary<string, ProvisionEvent>
        {
            ["manage"] = ProvisionEvent.Manage, ["provide"] = ProvisionEvent.Provide,
            ["inspect"] = ProvisionEvent.Inspect, ["clean"] = ProvisionEvent.Clean,
            ["active"] = ProvisionEvent.Deploy, ["deploy"] = ProvisionEvent.Deploy,
            ["rebuild"] = ProvisionEvent.Rebuild, ["deleted"] = ProvisionEvent.Delete,
            ["undeploy"] = ProvisionEvent.Delete, ["abort"] = ProvisionEvent.Abort, ["adopt"] = ProvisionEvent.Adopt,
        };
        Assert.That(ProvisionVerbs.Names, Is.EquivalentTo(expected.Keys));
        foreach (var (verb, ev) in expected)
        {
            Assert.That(ProvisionVerbs.TryParse(verb, out var parsed), Is.True);
            Assert.That(parsed, Is.EqualTo(ev));
        }
    }
}
