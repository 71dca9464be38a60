using System.Security.Cryptography;
using Bifrost.Domain.Agent;

namespace Bifrost.Api.Tests.Agent;

/// <summary>
/// <c>rebuild</c> of an active node through the agent, as Ironic does it: no cleaning, a fresh ramdisk boot with a new
/// token, the node's current <c>instance_info</c> written again, back to <c>active</c> booting from disk.
/// </summary>
public sealed class AgentRebuildTests : AgentFixture
{
    /// <summary>The agent's report of a successful write_image.</summary>
    private static JsonObject Written(AgentCommand write, long bytes, string sha) => ScriptedAgent.Report(write, "succeeded", new JsonObject
    {
        ["device"] = "/dev/vda", ["bytes_written"] = bytes, ["hash_algo"] = "sha256", ["hash"] = sha, ["duration_s"] = 0.1,
    });

    private async Task<(string Uuid, string Mac)> ActiveNodeAsync(string sha)
    {
        var (uuid, mac) = await ManageableNodeAsync();
        await Api.PatchAsync($"/v1/nodes/{uuid}", new object[]
        {
            new { op = "add", path = "/instance_info/image_source", value = "first.raw" },
            new { op = "add", path = "/instance_info/image_checksum", value = sha },
        });
        await ProvideThroughAgentAsync(uuid, mac, new JsonObject { ["disks"] = new JsonArray() });
        Assert.That(await StateOf(uuid), Is.EqualTo("available"));
        await ProvisionAsync(uuid, new { target = "active" });
        using var agent = NewAgent(uuid);
        var write = await agent.FirstCommandAsync(mac);
        await agent.HeartbeatAsync(Written(write, 1, sha));
        await Server.IdleAsync(30);
        Assert.That(await StateOf(uuid), Is.EqualTo("active"));
        return (uuid, mac);
    }

    [Test]
    public async Task Rebuild_boots_the_ramdisk_again_with_a_new_token_writes_the_new_image_and_returns_to_active()
    {
        var first = AddImage("first.raw", RandomNumberGenerator.GetBytes(10_000));
        var (uuid, mac) = await ActiveNodeAsync(first);
        var second = RandomNumberGenerator.GetBytes(20_000);
        var secondSha = AddImage("second.raw", second);
        var patch = await Api.PatchAsync($"/v1/nodes/{uuid}", new object[]
        {
            new { op = "replace", path = "/instance_info/image_source", value = "second.raw" },
            new { op = "replace", path = "/instance_info/image_checksum", value = secondSha },
        });
        Assert.That(patch.Status, Is.EqualTo(200), patch.ToString());

        await ProvisionAsync(uuid, new { target = "rebuild" });
        Assert.That(await StateOf(uuid), Is.EqualTo("wait call-back"), "rebuild goes straight to the ramdisk, no cleaning");
        Assert.That(Bmc.PowerOn, Is.True);
        Assert.That(Bmc.BootDevice, Is.EqualTo("pxe"));

        using var agent = NewAgent(uuid);
        var write = await agent.FirstCommandAsync(mac);
        Assert.That(write.Name, Is.EqualTo("write_image"));
        Assert.That(write["image_url"], Is.EqualTo($"http://127.0.0.1:{BootPort}/images/second.raw"));
        Assert.That(write["image_hash"], Is.EqualTo(secondSha));
        var (status, served) = await agent.DownloadAsync(write["image_url"]!, withToken: false);
        Assert.That((status, served), Is.EqualTo((200, second)));
        await agent.HeartbeatAsync(Written(write, second.Length, secondSha));
        await Server.IdleAsync(30);

        var node = await Node(uuid);
        Assert.That(node["provision_state"]!.GetValue<string>(), Is.EqualTo("active"), node.ToJsonString());
        Assert.That(node["last_error"]?.GetValue<string>(), Is.Null);
        Assert.That(Bmc.BootDevice, Is.EqualTo("default"), "boots from disk again");
        var transitions = (await History(uuid)).Where(h => h["event_type"]?.GetValue<string>() == "provisioning")
            .Select(h => h["event"]!.GetValue<string>()).ToList();
        var rebuild = transitions.FindIndex(t => t.StartsWith("active → deploying", StringComparison.Ordinal) && t.EndsWith("on rebuild", StringComparison.Ordinal));
        Assert.That(rebuild, Is.GreaterThanOrEqualTo(0), string.Join("\n", transitions));
        Assert.That(transitions.Skip(rebuild), Has.None.Contains("cleaning"), "rebuild does not clean");
    }
}
