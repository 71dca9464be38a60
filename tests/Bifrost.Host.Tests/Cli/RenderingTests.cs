using System.Text.Json.Nodes;
using Bifrost.Host.Cli;
using NUnit.Framework;

namespace Bifrost.Host.Tests.Cli;

/// <summary>How the client renders what the API returns: timelines, progress details, Ironic error bodies.</summary>
public class RenderingTests
{
    [Test]
    public void A_stuck_nodes_timeline_leads_with_what_is_awaited_and_the_last_hop()
    {
        var timeline = JsonNode.Parse("""
            {"node": {"uuid": "u-1", "name": "n1", "provision_state": "wait call-back", "target_provision_state": "active",
                      "power_state": "power on", "maintenance": false, "last_error": null},
             "waiting": {"message": "waiting for the agent to call back (deadline in 27 min, deploy_callback_timeout)"},
             "last_hop": {"created_at": "2026-01-01T12:00:05.000000+00:00", "event_type": "tftp", "event": "sent ipxe.efi"},
             "events": [{"created_at": "2026-01-01T12:00:00.000000+00:00", "event_type": "provisioning", "severity": "INFO",
                         "event": "deploying → wait call-back (target active) on wait"}]}
            """)!.AsObject();
        using var output = new StringWriter();
        TimelineVerb.Render(output, timeline);
        var lines = output.ToString().Split('\n');
        Assert.That(lines[0], Is.EqualTo("node n1 (u-1): wait call-back → active, power power on"));
        Assert.That(lines[1], Is.EqualTo("waiting for the agent to call back (deadline in 27 min, deploy_callback_timeout)"));
        Assert.That(lines[2], Is.EqualTo("last boot hop: 2026-01-01 12:00:05.000 tftp: sent ipxe.efi"));
        Assert.That(output.ToString(), Does.Contain("2026-01-01 12:00:00.000  provisioning  INFO      deploying → wait call-back"));
    }

    [Test]
    public void Progress_shows_the_running_step_and_progress_keys_as_reported()
    {
        var node = JsonNode.Parse("""
            {"deploy_step": {"interface": "deploy", "step": "write_image", "priority": 80},
             "clean_step": {},
             "driver_internal_info": {"image_download_progress": 45, "agent_url": "http://x", "deploy_boot_mode": "uefi"}}
            """)!.AsObject();
        Assert.That(Waiter.Details(node), Is.EqualTo("  (deploy step deploy.write_image, image_download_progress 45)"));
        Assert.That(Waiter.Details(new JsonObject()), Is.Empty, "nothing reported, nothing shown");
    }

    [Test]
    public void Progress_shows_the_agent_command_in_flight_with_its_last_reported_bytes()
    {
        var node = JsonNode.Parse("""
            {"driver_internal_info": {"agent_command": {"id": "c3", "name": "write_image", "status": "running",
              "progress": {"stage": "write", "done": 503316480, "total": 1073741824}}}}
            """)!.AsObject();
        Assert.That(Waiter.Details(node), Is.EqualTo("  (agent write_image write 480/1024 MiB (47%))"));
        var unknownTotal = JsonNode.Parse("""{"name": "write_image", "status": "running", "progress": {"stage": "download", "done": 1048576, "total": 0}}""");
        Assert.That(Waiter.AgentProgress(unknownTotal), Is.EqualTo("agent write_image download 1 MiB"));
        Assert.That(Waiter.AgentProgress(JsonNode.Parse("""{"name": "inspect", "status": "succeeded"}""")), Is.EqualTo("agent inspect succeeded"));
        Assert.That(Waiter.AgentProgress(null), Is.Null);
    }

    private static IEnumerable<TestCaseData> Errors()
    {
        yield return new TestCaseData("{\"error_message\": \"{\\\"faultstring\\\": \\\"Node n1 could not be found.\\\", \\\"debuginfo\\\": null}\"}",
            "Node n1 could not be found.").SetName("Ironic's JSON-in-JSON error → its faultstring");
        yield return new TestCaseData("{\"error_message\": {\"title\": \"Not Found\", \"description\": \"The resource could not be found.\"}}",
            "The resource could not be found.").SetName("a routing error → its description");
        yield return new TestCaseData("Unauthorized", "Unauthorized").SetName("a short plain body → as is");
    }

    [TestCaseSource(nameof(Errors))]
    public void Error_bodies_become_one_line(string body, string expected) =>
        Assert.That(BifrostClient.ErrorMessage(body), Is.EqualTo(expected));
}
