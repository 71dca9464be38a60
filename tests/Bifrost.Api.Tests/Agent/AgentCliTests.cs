using System.Security.Cryptography;
using Bifrost.TestKit;

namespace Bifrost.Api.Tests.Agent;

/// <summary>The real <c>baremetal</c> CLI's inspect, provide and deploy are accepted for an ipmi node (validation).</summary>
public sealed class AgentCliTests : AgentFixture
{
    [Test]
    public async Task Baremetal_inspect_provide_and_deploy_are_accepted_for_an_ipmi_node()
    {
        using var home = new TempDirectory("bifrost-agent-cli");
        var cli = new BaremetalCli(Server.BaseUri, home.Path);
        var (uuid, mac) = await ManageableNodeAsync();

        var inspect = await cli.RunAsync(["node", "inspect", uuid]);
        Assert.That(inspect.ExitCode, Is.Zero, inspect.ToString());
        await Server.IdleAsync(30);
        Assert.That(await StateOf(uuid), Is.EqualTo("inspect wait"));
        await Api.ProvisionAsync(uuid, "abort");
        await Api.ProvisionAsync(uuid, "manage");

        var provide = await cli.RunAsync(["node", "provide", uuid]);
        Assert.That(provide.ExitCode, Is.Zero, provide.ToString());
        await Server.IdleAsync(30);
        Assert.That(await StateOf(uuid), Is.EqualTo("clean wait"));
        using (var agent = NewAgent(uuid))
        {
            var erase = await agent.FirstCommandAsync(mac);
            await agent.HeartbeatAsync(ScriptedAgent.Report(erase, "succeeded", new JsonObject { ["disks"] = new JsonArray() }));
            await Server.IdleAsync(30);
        }
        Assert.That(await StateOf(uuid), Is.EqualTo("available"));

        var sha = AddImage("cli.raw", RandomNumberGenerator.GetBytes(2048));
        var set = await cli.RunAsync(["node", "set", uuid, "--instance-info", "image_source=cli.raw", "--instance-info", $"image_checksum={sha}"]);
        Assert.That(set.ExitCode, Is.Zero, set.ToString());
        var validate = await cli.RunAsync(["node", "validate", uuid, "-f", "json"]);
        Assert.That(validate.ExitCode, Is.Zero, validate.ToString());
        var results = JsonNode.Parse(validate.Stdout)!.AsArray().OfType<JsonObject>()
            .ToDictionary(r => r["Interface"]!.GetValue<string>(), r => r["Result"]!.GetValue<bool>());
        Assert.That(results["deploy"], Is.True, validate.Stdout);
        Assert.That(results["inspect"], Is.True, validate.Stdout);
        Assert.That(results["power"], Is.True, validate.Stdout);

        var deploy = await cli.RunAsync(["node", "deploy", uuid, "--config-drive", "{\"meta_data\": {\"hostname\": \"cli\"}}"]);
        Assert.That(deploy.ExitCode, Is.Zero, deploy.ToString());
        await Server.IdleAsync(30);
        Assert.That(await StateOf(uuid), Is.EqualTo("wait call-back"));
        Assert.That(Bmc.PowerOn, Is.True);
    }
}
