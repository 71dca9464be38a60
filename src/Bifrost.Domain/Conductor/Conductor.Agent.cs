using System.Globalization;
using Bifrost.Domain.Agent;
using Bifrost.Domain.Boot;
using Bifrost.Domain.Drivers;
using Bifrost.Domain.Drivers.Agent;
using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;

namespace Bifrost.Domain.Conductor;

/// <summary>Where the agent reached Bifrost: the base URLs put into its commands.</summary>
/// <param name="ImageServerUrl">The HTTP boot server (images), e.g. http://10.0.0.1:8080.</param>
/// <param name="ApiUrl">The API (config drive), e.g. http://10.0.0.1:6385.</param>
public sealed record AgentEndpoint(string ImageServerUrl, string ApiUrl);

/// <summary>A lookup's answer: the node and its token (<see cref="AgentToken.Mask"/> after the first lookup of a boot).</summary>
public sealed record AgentLookup(Node Node, string Token, AgentOptions Options);

/// <summary>
/// The server side of the deploy agent protocol (docs/agent-protocol.md): lookup hands out the boot's token,
/// heartbeats drive the queued steps one command at a time, and the finishing work (boot from disk, power off) runs
/// in the background with the node's lock. Every state change goes through <see cref="NodeTask.FireAsync"/>.
/// </summary>
public sealed partial class Conductor
{
    /// <summary>Ironic's LOOKUP_ALLOWED_STATES that Bifrost has: where an agent may look itself up and heartbeat.</summary>
    public static readonly IReadOnlySet<ProvisionState> RamdiskStates = new HashSet<ProvisionState>
    {
        ProvisionState.Deploying, ProvisionState.DeployWait, ProvisionState.Cleaning, ProvisionState.CleanWait,
        ProvisionState.Inspecting, ProvisionState.InspectWait,
    };

    private static AgentDeploy? AgentOf(HardwareType hw) => hw.Deploy as AgentDeploy;

    private AgentDeploy? AgentOf(Node node) => Drivers.Contains(node.Driver) ? AgentOf(Drivers.Get(node.Driver)) : null;

    private static BifrostException NotFound() => new("Resource could not be found.", ErrorKind.NotFound);

    /// <summary>GET /v1/lookup: the node an agent runs on, by node UUID or by one of its MACs.</summary>
    public async Task<AgentLookup> LookupAsync(
        IReadOnlyList<string> macs, Guid? nodeUuid, string client, CancellationToken ct = default)
    {
        Node? node = null;
        if (nodeUuid is { } uuid) node = await Store.GetNodeAsync(uuid, ct);
        else
        {
            foreach (var raw in macs)
            {
                if (!MacAddresses.TryNormalise(raw, out var mac)) continue;
                if (await Store.GetPortByAddressAsync(mac, ct) is not { } port) continue;
                node = await Store.GetNodeAsync(port.NodeUuid, ct);
                if (node is not null) break;
            }
        }
        var detail = nodeUuid is { } u ? $"node {u}" : $"addresses {string.Join(",", macs)}";
        if (node is null) throw Refuse("unknown", detail);
        if (!RamdiskStates.Contains(node.ProvisionState) || AgentOf(node) is null)
            throw Refuse("not_waiting", $"{node} is in state {node.ProvisionState.ToWire()}");

        await using var task = await AcquireAsync(node.Uuid, "agent lookup", ct);
        node = task.Node;
        if (!RamdiskStates.Contains(node.ProvisionState))
            throw Refuse("not_waiting", $"{node} is in state {node.ProvisionState.ToWire()}");
        string token;
        if (AgentState.TokenHash(node) is null)
        {
            (token, var hash) = AgentToken.Create();
            AgentState.SetTokenHash(node, hash);
            await task.SaveAsync(HistoryEventType.Agent, HistorySeverity.Info, $"agent lookup from {client}: token issued for this boot", ct);
        }
        else
        {
            token = AgentToken.Mask;
            await task.RecordAsync(HistoryEventType.Agent, HistorySeverity.Warning,
                $"agent lookup from {client}: the token of this boot was already given out, not again", ct);
        }
        AgentMetrics.Lookup("ok");
        Log.LookupAccepted(_log, node.ToString(), client, token == AgentToken.Mask ? "withheld (already given)" : "issued");
        return new AgentLookup(node.Clone(), token, AgentOf(task.Hardware)!.Options);

        BifrostException Refuse(string outcome, string why)
        {
            AgentMetrics.Lookup(outcome);
            Log.LookupRefused(_log, client, outcome, why);
            return NotFound();
        }
    }

    /// <summary>
    /// POST /v1/heartbeat/{node}: verifies the token, records what the agent reports, acts once on a finished
    /// command, and returns the next command for the agent.
    /// </summary>
    public async Task<AgentCommand> HeartbeatAsync(
        string ident, HeartbeatReport report, AgentEndpoint endpoint, string client, CancellationToken ct = default)
    {
        Node found;
        try
        {
            found = await GetNodeAsync(ident, allowName: true, ct);
        }
        catch (NodeNotFoundException)
        {
            throw Refuse(ident, "unknown_node", "no such node", new NodeNotFoundException(ident));
        }
        Check(found);

        await using var task = await AcquireAsync(found.Uuid, "agent heartbeat", ct);
        var node = task.Node;
        Check(node);
        var agent = AgentOf(task.Hardware)!;
        var history = new List<(string Severity, string Line)>();
        if (!AgentState.Heard(node))
        {
            AgentState.SetHeard(node);
            history.Add((HistorySeverity.Info, $"first heartbeat of this boot from {client} ({(report.AgentVersion.Length > 0 ? report.AgentVersion : "unknown agent")})"));
        }
        // Ironic touches provision_updated_at on every heartbeat: the callback timeouts bound silence, not work.
        node.ProvisionUpdatedAt = Time.GetUtcNow();
        AgentMetrics.Heartbeat("ok");

        var inflight = AgentState.Command(node);
        var reported = report.Command;
        Log.Heartbeat(_log, node.ToString(), client, reported?.Id ?? "-", reported?.Status ?? "-");
        if (inflight is { Status: CommandReport.Running })
        {
            if (reported is null || reported.Id != inflight.Id)
            {
                // The agent never got the command (its answer was lost) or repeats an older one: send it again.
                await SaveWithHistoryAsync(task, history, ct);
                return AgentCommand.TryRead(inflight.Text, out var again, out _) ? again! : Idle(agent);
            }
            switch (reported.Status)
            {
                case CommandReport.Running:
                    if (reported.Progress is { Total: > 0 } p)
                    {
                        var quarter = (int)Math.Clamp(p.Done * 4 / p.Total, 0, 4);
                        if (quarter > inflight.Quarter)
                        {
                            AgentState.SetCommand(node, inflight with { Quarter = quarter });
                            history.Add((HistorySeverity.Info,
                                $"{inflight.Name} ({inflight.Id}): {quarter * 25}% ({p.Stage}, {Mib(p.Done)} of {Mib(p.Total)} MiB)"));
                        }
                    }
                    await SaveWithHistoryAsync(task, history, ct);
                    return Idle(agent);
                case CommandReport.Failed:
                    await FailOnAgentAsync(task, agent, inflight.Name, reported.Message, report.LogTail, history, ct);
                    return AgentCommand.Simple(AgentCommands.Exit);
                default:
                    AgentState.SetCommand(node, inflight with { Status = CommandReport.Succeeded });
                    var error = await ActOnResultAsync(task, inflight, reported, history, ct);
                    if (error is not null)
                    {
                        await FailOnAgentAsync(task, agent, inflight.Name, error, report.LogTail, history, ct);
                        return AgentCommand.Simple(AgentCommands.Exit);
                    }
                    break;
            }
        }

        if (AgentState.DequeueStep(node) is { } next)
        {
            var id = $"c{AgentState.NextSequence(node).ToString(CultureInfo.InvariantCulture)}";
            var command = BuildCommand(node, next, id, endpoint);
            if (!command.TryEncode(out var text, out var encodeError))
            {
                // A value that would smuggle a second line (e.g. a root_device hint with a newline) never reaches the agent.
                await FailOnAgentAsync(task, agent, next, encodeError!, "", history, ct,
                    $"{next} could not be issued to the agent: {encodeError}");
                return AgentCommand.Simple(AgentCommands.Exit);
            }
            AgentState.SetCommand(node, new InFlightCommand(id, next, Time.GetUtcNow(), CommandReport.Running, text, 0));
            history.Add((HistorySeverity.Info, $"command {next} ({id}) issued"));
            await SaveWithHistoryAsync(task, history, ct);
            Log.CommandIssued(_log, node.ToString(), next, id);
            return command;
        }

        await SaveWithHistoryAsync(task, history, ct);
        await FinishAsync(task, ct);
        return AgentCommand.Simple(AgentCommands.Exit);

        void Check(Node n)
        {
            if (report.AgentToken is null)
                throw Refuse(n.ToString(), "no_token", "no agent_token", new BifrostException("Agent token is required for heartbeat processing."));
            if (!RamdiskStates.Contains(n.ProvisionState) || AgentOf(n) is null)
                throw Refuse(n.ToString(), "not_waiting", $"state {n.ProvisionState.ToWire()}", new BifrostException(
                    $"Node {n.Uuid} is not waiting for an agent (state \"{n.ProvisionState.ToWire()}\").", ErrorKind.Conflict));
            if (!AgentToken.Matches(report.AgentToken, AgentState.TokenHash(n)))
                throw Refuse(n.ToString(), "bad_token", "wrong token or a token of an earlier boot",
                    new BifrostException("Invalid or missing agent token received."));
        }

        BifrostException Refuse(string node, string outcome, string why, BifrostException error)
        {
            AgentMetrics.Heartbeat(outcome);
            Log.HeartbeatRefused(_log, node, client, outcome, why);
            return error;
        }
    }

    /// <summary>GET /v1/agent/{uuid}/configdrive: the config drive of the deploy in progress, for the boot's token.</summary>
    public async Task<ConfigDriveContent> GetConfigDriveAsync(Guid uuid, string? token, string client, CancellationToken ct = default)
    {
        var node = await Store.GetNodeAsync(uuid, ct) ?? throw new NodeNotFoundException(uuid.ToString());
        if (!AgentToken.Matches(token, AgentState.TokenHash(node)))
        {
            Log.HeartbeatRefused(_log, node.ToString(), client, "bad_token", "config drive asked without this boot's token");
            throw new BifrostException("Invalid or missing agent token received.");
        }
        if (node.ProvisionState is not (ProvisionState.Deploying or ProvisionState.DeployWait))
            throw new BifrostException($"Node {node.Uuid} is not being deployed.", ErrorKind.Conflict);
        if (!ConfigDrive.TryBuild(node.InstanceInfo["configdrive"], out var content, out var error))
            throw new BifrostException(error!);
        return content ?? throw new BifrostException($"Node {node.Uuid} has no config drive.", ErrorKind.NotFound);
    }

    private static AgentCommand Idle(AgentDeploy agent) => AgentCommand.Simple(AgentCommands.None,
        ("interval", ((int)Math.Max(1, agent.Options.HeartbeatInterval.TotalSeconds)).ToString(CultureInfo.InvariantCulture)));

    private static AgentCommand BuildCommand(Node node, string step, string id, AgentEndpoint endpoint)
    {
        if (step != AgentCommands.WriteImage) return AgentCommand.Simple(step, ("id", id));
        var image = AgentState.Image(node) ?? throw new BifrostException("no prepared image is recorded for this deploy");
        string S(string key) => image[key]?.ToString() ?? "";
        var hints = RootDeviceHints.From(node.Properties);
        var drive = ConfigDrive.TryBuild(node.InstanceInfo["configdrive"], out var content, out _) ? content : null;
        return AgentCommand.Simple(step,
            ("id", id),
            ("image_url", endpoint.ImageServerUrl.TrimEnd('/') + S("path")),
            ("image_format", S("format")),
            ("image_hash_algo", S("hash_algo")),
            ("image_hash", S("hash")),
            ("image_size", S("size")),
            ("root_device_name", hints.Name ?? ""),
            ("root_device_size_gb", hints.SizeGb?.ToString(CultureInfo.InvariantCulture) ?? ""),
            ("root_device_serial", hints.Serial ?? ""),
            ("configdrive_url", drive is null ? "" : $"{endpoint.ApiUrl.TrimEnd('/')}/v1/agent/{node.Uuid}/configdrive"),
            ("configdrive_format", drive?.Format ?? ""));
    }

    private static async Task SaveWithHistoryAsync(NodeTask task, List<(string Severity, string Line)> history, CancellationToken ct)
    {
        if (history.Count == 0)
        {
            await task.SaveAsync(ct);
            return;
        }
        for (var i = 0; i < history.Count - 1; i++) await task.RecordAsync(HistoryEventType.Agent, history[i].Severity, history[i].Line, ct);
        await task.SaveAsync(HistoryEventType.Agent, history[^1].Severity, history[^1].Line, ct);
        history.Clear();
    }

    private static long Mib(long bytes) => bytes / (1024 * 1024);
}
