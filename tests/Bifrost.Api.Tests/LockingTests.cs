namespace Bifrost.Api.Tests;

/// <summary>
/// IRONIC-API.md §2 "--wait" and §9.5: a provision PUT has set the transitional state before its 202; and while
/// background work holds a node's lock, other writes to it are 409 NodeLocked. Fake deploys take 3 s here, cleaning 1 s.
/// </summary>
public sealed class LockingTests : ApiFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Bifrost:Fake:DeployDelay"] = "3",
        ["Bifrost:Fake:CleanDelay"] = "1",
    };

    private async Task<JsonObject> ShowAsync(string ident) => (await Api.GetAsync($"/v1/nodes/{ident}")).Object;

    private static string? Text(JsonObject node, string field) => node[field]?.GetValue<string>();

    [Test]
    public async Task Every_provision_put_has_set_the_transitional_state_when_the_202_returns()
    {
        var node = await Api.CreateNodeAsync();
        var uuid = Uuid(node);
        await Api.ProvisionAsync(uuid, "manage");

        var steps = new (string Verb, string During, string Target, string After)[]
        {
            ("provide", "cleaning", "available", "available"),
            ("active", "deploying", "active", "active"),
            ("deleted", "deleting", "available", "available"),
        };
        foreach (var (verb, during, target, after) in steps)
        {
            var reply = await Api.PutAsync($"/v1/nodes/{Name(node)}/states/provision", new { target = verb });
            Expect.Empty(reply, 202);
            var now = await ShowAsync(uuid);
            Assert.Multiple(() =>
            {
                Assert.That(Text(now, "provision_state"), Is.EqualTo(during), $"{verb}: state when the 202 returned");
                Assert.That(Text(now, "target_provision_state"), Is.EqualTo(target), $"{verb}: target when the 202 returned");
                Assert.That(Text(now, "reservation"), Is.EqualTo("test-conductor"), $"{verb}: the work holds the lock");
            });
            await Server.IdleAsync();
            var done = await ShowAsync(uuid);
            Assert.That(Text(done, "provision_state"), Is.EqualTo(after), $"{verb}: {done["last_error"]}");
            Assert.That(done["target_provision_state"], Is.Null);
            Assert.That(done["reservation"], Is.Null, "the lock is released when the work ends");
        }
    }

    [Test]
    public async Task While_a_deploy_runs_other_writes_are_409_locked_and_after_it_the_reservation_is_null()
    {
        var node = await Api.CreateNodeAsync();
        var uuid = Uuid(node);
        await Api.BringToAsync(uuid, "available");
        var port = await Api.CreatePortAsync(uuid, Macs.New());
        Expect.Empty(await Api.PutAsync($"/v1/nodes/{uuid}/states/provision", new { target = "active" }), 202);

        // The lock wait is 1 s per request; run them side by side so all of them fall inside the 3 s deploy.
        var attempts = new (string Rule, Task<Reply> Reply)[]
        {
            ("PATCH", Api.PatchAsync($"/v1/nodes/{Name(node)}", new[] { new { op = "add", path = "/extra/a", value = "1" } })),
            ("DELETE", Api.DeleteAsync($"/v1/nodes/{Name(node)}")),
            ("another provision action", Api.PutAsync($"/v1/nodes/{uuid}/states/provision", new { target = "deleted" })),
            ("a power action", Api.PutAsync($"/v1/nodes/{uuid}/states/power", new { target = "power off" })),
            ("maintenance", Api.PutAsync($"/v1/nodes/{uuid}/maintenance", new { reason = "x" })),
            ("boot device", Api.PutAsync($"/v1/nodes/{uuid}/management/boot_device", new { boot_device = "pxe" })),
        };
        await Task.WhenAll(attempts.Select(a => a.Reply));

        var during = await ShowAsync(uuid);
        Assert.That(Text(during, "provision_state"), Is.EqualTo("deploying"), "the deploy must still run for this test to mean anything");
        foreach (var (rule, reply) in attempts)
        {
            Assert.That(reply.Result.Status, Is.EqualTo(409), $"{rule}: {reply.Result}");
            Expect.Fault(reply.Result, 409,
                $"Node {uuid} is locked by host test-conductor, please retry after the current operation is completed.");
        }

        // Reads are never blocked by the lock.
        Assert.That((await Api.GetAsync($"/v1/nodes/{uuid}/states")).Status, Is.EqualTo(200));
        Assert.That((await Api.GetAsync($"/v1/nodes/{uuid}/validate")).Status, Is.EqualTo(200));
        Assert.That((await Api.GetAsync($"/v1/ports/{port["uuid"]}")).Status, Is.EqualTo(200));

        await Server.IdleAsync();
        var after = await ShowAsync(uuid);
        Assert.That(after["reservation"], Is.Null);
        Assert.That(Text(after, "provision_state"), Is.EqualTo("active"));
        Assert.That(after["extra"]?.ToJsonString(), Is.EqualTo("{}"), "the locked PATCH changed nothing");
        Assert.That(after["maintenance"]?.GetValue<bool>(), Is.False, "the locked maintenance PUT changed nothing");

        var patched = await Api.PatchAsync($"/v1/nodes/{uuid}", new[] { new { op = "add", path = "/extra/a", value = "1" } });
        Assert.That(patched.Status, Is.EqualTo(200), "writes work again once the lock is free");
    }

    [Test]
    public async Task The_states_endpoint_shows_the_transition_while_it_runs()
    {
        var node = await Api.CreateNodeAsync();
        await Api.BringToAsync(Uuid(node), "available");
        Expect.Empty(await Api.PutAsync($"/v1/nodes/{Uuid(node)}/states/provision", new { target = "active" }), 202);
        var states = (await Api.GetAsync($"/v1/nodes/{Uuid(node)}/states")).Object;
        Assert.That(Text(states, "provision_state"), Is.EqualTo("deploying"));
        Assert.That(Text(states, "target_provision_state"), Is.EqualTo("active"));
        Assert.That(Text(states, "provision_updated_at"), Does.EndWith("+00:00"));
        await Server.IdleAsync();
    }
}
