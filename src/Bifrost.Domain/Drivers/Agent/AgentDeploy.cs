using System.Text.Json.Nodes;
using Bifrost.Domain.Agent;
using Bifrost.Domain.Conductor;
using Bifrost.Domain.Errors;
using Bifrost.Domain.Images;
using Bifrost.Domain.Nodes;

namespace Bifrost.Domain.Drivers.Agent;

/// <summary>
/// Ironic's agent deploy interface <c>direct</c> with Bifrost's pull agent: deploy and cleaning boot the node into
/// the ramdisk and queue agent commands; the conductor's heartbeat handling (Conductor.Agent) drives them.
/// </summary>
public sealed class AgentDeploy(IImageService? images, AgentOptions options) : IDeployInterface
{
    public string Name => "direct";

    public AgentOptions Options { get; } = options;

    public ValidationResult Validate(Node node)
    {
        if (node.InstanceInfo["image_source"] is null)
            return ValidationResult.Fail(
                $"Cannot validate image information for node {node.Uuid} because one or more parameters are missing from its instance_info and insufficient information is present to boot from a remote volume. Missing are: ['image_source']");
        return images?.Validate(node) ?? ValidationResult.Ok;
    }

    /// <summary>Prepares the image first (a bad checksum fails here, before any power action), then boots the
    /// ramdisk with write_image queued.</summary>
    public async Task<StepOutcome> DeployAsync(NodeTask task, CancellationToken ct)
    {
        if (images is null)
            throw new DriverOperationException("no image service is configured, so the direct deploy interface cannot prepare an image.");
        var node = task.Node;
        if (!ConfigDrive.TryBuild(node.InstanceInfo["configdrive"], out _, out var driveError))
            throw new BifrostException(driveError!);
        var image = await images.PrepareAsync(node, ct);
        node.DriverInternalInfo[AgentState.ImageKey] = new JsonObject
        {
            ["path"] = image.Path,
            ["format"] = image.Format.ToString().ToLowerInvariant(),
            ["hash_algo"] = image.HashAlgorithm,
            ["hash"] = image.HashValue,
            ["size"] = image.Size,
        };
        await task.SaveAsync(HistoryEventType.Agent, HistorySeverity.Info, $"image prepared: {image.Description}", ct);
        await RamdiskBoot.BootAsync(task, [AgentCommands.WriteImage], ct);
        return StepOutcome.Wait;
    }

    /// <summary>Undeploy: power off; cleaning follows (Conductor.Flows).</summary>
    public async Task TearDownAsync(NodeTask task, CancellationToken ct)
    {
        var node = task.Node;
        await task.Hardware.Power.SetPowerStateAsync(node, PowerStates.Off, null, ct);
        node.PowerState = PowerStates.Off;
        AgentState.ForgetAll(node);
        await task.SaveAsync(HistoryEventType.Power, HistorySeverity.Info, "tear down: power off", ct);
    }

    public async Task<StepOutcome> CleanAsync(NodeTask task, IReadOnlyList<JsonObject>? steps, CancellationToken ct)
    {
        var names = steps is null ? [Options.AutomatedCleanStep] : CleanStepNames(steps);
        await RamdiskBoot.BootAsync(task, names, ct);
        return StepOutcome.Wait;
    }

    public Task AdoptAsync(NodeTask task, CancellationToken ct) => Task.CompletedTask;

    /// <summary>The agent commands of manual clean steps; throws (HTTP 400) on any step this interface lacks.</summary>
    public static IReadOnlyList<string> CleanStepNames(IReadOnlyList<JsonObject> steps)
    {
        if (steps.Count == 0) throw new BifrostException("clean_steps must name at least one step.");
        var names = new List<string>();
        foreach (var s in steps)
        {
            var iface = s["interface"] is JsonValue i && i.TryGetValue(out string? x) ? x : null;
            var step = s["step"] is JsonValue v && v.TryGetValue(out string? y) ? y : null;
            if (iface != "deploy" || step is null || !AgentCommands.CleanSteps.Contains(step))
                throw new BifrostException(
                    $"Clean step {s.ToJsonString()} is not supported by the direct deploy interface; supported: " +
                    string.Join(", ", AgentCommands.CleanSteps.Select(c => $"{{\"interface\": \"deploy\", \"step\": \"{c}\"}}")));
            names.Add(step);
        }
        return names;
    }
}
