namespace Bifrost.EndToEnd.Tests;

/// <summary>
/// The errors of IRONIC-API.md §4 that the CLI can reach, checked word for word as the CLI prints them
/// (<c>&lt;faultstring&gt; (HTTP &lt;code&gt;)</c> on the last stderr line, exit code 1).
/// </summary>
[Category("EndToEnd")]
public sealed class ErrorTests : CliFixture
{
    protected override IDictionary<string, string> DaemonEnvironment => new Dictionary<string, string>
    {
        ["Bifrost__Conductor__AutomatedClean"] = "false",
    };

    [Test]
    public async Task Unknown_node_show_and_delete_are_404()
    {
        await FailsAsync("Node no-such-node could not be found. (HTTP 404)", "node", "show", "no-such-node");
        var uuid = Guid.NewGuid().ToString();
        await FailsAsync($"Node {uuid} could not be found. (HTTP 404)", "node", "show", uuid);

        // Multi-node delete deletes what it can and exits 1 if any one failed.
        await CreateNodeAsync("--driver", "fake-hardware", "--name", "doomed");
        var result = await RunAsync("node", "delete", "doomed", "no-such-node");
        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Stdout, Does.Contain("Deleted node doomed"));
        Assert.That(result.Stderr, Does.Contain("Failed to delete node no-such-node: Node no-such-node could not be found. (HTTP 404)"));
        await FailsAsync("Node doomed could not be found. (HTTP 404)", "node", "show", "doomed");
    }

    [Test]
    public async Task Duplicate_name_or_uuid_is_a_409_on_create_and_set()
    {
        var uuid = await CreateNodeAsync("--driver", "fake-hardware", "--name", "dup-a");
        await CreateNodeAsync("--driver", "fake-hardware", "--name", "dup-b");

        await FailsAsync("A node with name dup-a already exists. (HTTP 409)",
            "node", "create", "--driver", "fake-hardware", "--name", "dup-a");
        await FailsAsync("A node with name dup-a already exists. (HTTP 409)", "node", "set", "dup-b", "--name", "dup-a");
        await FailsAsync($"A node with UUID {uuid} already exists. (HTTP 409)",
            "node", "create", "--driver", "fake-hardware", "--uuid", uuid);

        var names = Column(await JsonAsync("node", "list"), "Name");
        Assert.That(names.Count(n => n == "dup-a"), Is.EqualTo(1));
        Assert.That(names, Does.Contain("dup-b"));
    }

    [Test]
    public async Task Invalid_provision_transitions_are_400_not_409()
    {
        var uuid = await CreateNodeAsync("--driver", "fake-hardware", "--name", "trans");

        await FailsAsync($"The requested action \"active\" can not be performed on node \"{uuid}\" while it is in state \"enroll\". (HTTP 400)",
            "node", "deploy", "trans");
        await FailsAsync($"The requested action \"deleted\" can not be performed on node \"{uuid}\" while it is in state \"enroll\". (HTTP 400)",
            "node", "undeploy", "trans");
        await FailsAsync($"The requested action \"provide\" can not be performed on node \"{uuid}\" while it is in state \"enroll\". (HTTP 400)",
            "node", "provide", "trans");

        await MakeAvailableAsync("trans");
        await FailsAsync($"The requested action \"abort\" can not be performed on node \"{uuid}\" while it is in state \"available\". (HTTP 400)",
            "node", "abort", "trans");

        var node = await ShowNodeAsync("trans", "provision_state", "target_provision_state", "last_error");
        Assert.That(Str(node, "provision_state"), Is.EqualTo("available"));
        Assert.That(Str(node, "target_provision_state"), Is.Null);
        Assert.That(Str(node, "last_error"), Is.Null, "a refused request is not a failure of the node");
    }

    [Test]
    public async Task Create_with_unknown_driver_or_bad_name_is_a_400()
    {
        await FailsAsync("No valid host was found. Reason: No conductor service registered which supports driver nope for conductor group \"\". (HTTP 400)",
            "node", "create", "--driver", "nope", "--name", "nope-node");
        await FailsAsync("Cannot create node with invalid name 'bad name!' (HTTP 400)",
            "node", "create", "--driver", "fake-hardware", "--name", "bad name!");

        var names = Column(await JsonAsync("node", "list"), "Name");
        Assert.That(names, Has.None.EqualTo("nope-node").And.None.EqualTo("bad name!"));
    }

    [Test]
    public async Task Unset_of_a_missing_key_is_a_400_and_changes_nothing()
    {
        await CreateNodeAsync("--driver", "fake-hardware", "--name", "patchy", "--extra", "kept=yes");

        await FailsAsync("Couldn't apply patch '{'op': 'remove', 'path': '/extra/nothing'}'. Reason: can't remove a non-existent object 'nothing' (HTTP 400)",
            "node", "unset", "patchy", "--extra", "nothing");

        var node = await ShowNodeAsync("patchy", "extra", "updated_at");
        Assert.That(Str(node.GetProperty("extra"), "kept"), Is.EqualTo("yes"));
        Assert.That(Str(node, "updated_at"), Is.Null, "a failed PATCH writes nothing");
    }
}
