namespace Bifrost.EndToEnd.Tests;

/// <summary>
/// manage → provide → deploy → undeploy with the CLI's <c>--wait</c>, delete rules and node history
/// (IRONIC-API.md §2 "--wait", §6). Fake actions are instant here, so <c>--wait</c> finds each node done on its first
/// poll; <see cref="TransientStateTests"/> slows them down to watch the states in between.
/// </summary>
[Category("EndToEnd")]
public sealed class ProvisioningTests : CliFixture
{
    protected override IDictionary<string, string> DaemonEnvironment => new Dictionary<string, string>
    {
        ["Bifrost__Conductor__AutomatedClean"] = "false",
    };

    [Test]
    public async Task Manage_provide_deploy_undeploy_with_wait_then_delete()
    {
        var uuid = await CreateNodeAsync("--driver", "fake-hardware", "--name", "life");

        // --wait itself fails on any stable state but the expected one, so no show is needed in between.
        Assert.That(await OkAsync("node", "manage", "life", "--wait", "60"), Does.Contain("manageable"));
        Assert.That(await OkAsync("node", "provide", "life", "--wait", "60"), Does.Contain("available"));

        await OkAsync("node", "deploy", "life", "--wait", "120");
        await AssertStableAsync("life", "active");

        // 409, not 400: deleting an active node is a conflict (IRONIC-API.md §4).
        var refusal = $"Can not delete node \"{uuid}\" while it is in provision state \"active\". Valid provision states " +
                      "to perform deletion are: \"('manageable', 'enroll', 'adopt failed', 'available')\", or set the " +
                      "node into maintenance mode";
        await FailsAsync($"Failed to delete node life: {refusal} (HTTP 409)", "node", "delete", "life");

        await OkAsync("node", "undeploy", "life", "--wait", "120");
        var undeployed = await AssertStableAsync("life", "available");
        Assert.That(undeployed.GetProperty("instance_info").EnumerateObject(), Is.Empty);

        var history = Column(await JsonAsync("node", "history", "list", "life"), "Description of the event");
        AssertInOrder(history, "→ verifying", "→ manageable", "→ cleaning", "→ available", "→ deploying", "→ active",
            "→ deleting", "→ cleaning", "→ available");
        Assert.That(history, Has.None.Contains("wait call-back"), "fake deploy never waits for an agent");
        Assert.That(history, Has.None.Contains("failed").IgnoreCase);
        // --long asks for /history/detail, which Ironic 21.4 answers 404; Bifrost serves it.
        var detailed = await JsonAsync("node", "history", "list", "life", "--long");
        Assert.That(detailed.GetArrayLength(), Is.EqualTo(history.Count));

        Assert.That(await OkAsync("node", "delete", "life"), Does.Contain("Deleted node life"));
        await FailsAsync("Node life could not be found. (HTTP 404)", "node", "show", "life");
        await FailsAsync($"Node {uuid} could not be found. (HTTP 404)", "node", "show", uuid);
    }

    [Test]
    public async Task Ipmi_manage_with_wait_fails_and_the_node_returns_to_enroll_with_last_error()
    {
        // A closed local port, so even a build with a real IPMI client fails fast instead of waiting on a TEST-NET host.
        var uuid = await CreateNodeAsync("--driver", "ipmi", "--name", "ipmi-verify",
            "--driver-info", "ipmi_address=127.0.0.1", "--driver-info", "ipmi_port=9", "--driver-info", "ipmi_username=admin");

        await FailsAsync("Node ipmi-verify failed to reach state manageable. It's in unexpected stable state enroll",
            "node", "manage", "ipmi-verify", "--wait", "120");

        var node = await ShowNodeAsync("ipmi-verify");
        Assert.That(Str(node, "provision_state"), Is.EqualTo("enroll"));
        Assert.That(Str(node, "target_provision_state"), Is.Null);
        Assert.That(Str(node, "last_error"), Does.StartWith($"Failed to get power state for node {uuid}. Error: "));

        var history = Column(await JsonAsync("node", "history", "list", "ipmi-verify"), "Description of the event");
        AssertInOrder(history, "enroll → verifying", "verifying → enroll");
    }

    private async Task<JsonElement> AssertStableAsync(string ident, string state)
    {
        var node = await ShowNodeAsync(ident);
        Assert.That(Str(node, "provision_state"), Is.EqualTo(state));
        Assert.That(Str(node, "target_provision_state"), Is.Null, $"{state} is stable");
        Assert.That(Str(node, "last_error"), Is.Null);
        return node;
    }

    /// <summary>Each fragment appears in an event later than the one holding the previous fragment.</summary>
    private static void AssertInOrder(IReadOnlyList<string?> events, params string[] fragments)
    {
        var at = 0;
        foreach (var fragment in fragments)
        {
            while (at < events.Count && !(events[at] ?? "").Contains(fragment, StringComparison.Ordinal)) at++;
            Assert.That(at, Is.LessThan(events.Count),
                $"no event mentioning '{fragment}' in order {string.Join(", ", fragments)}:\n{string.Join('\n', events)}");
            at++;
        }
    }
}
