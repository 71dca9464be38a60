using Bifrost.Domain.Agent;
using Bifrost.Domain.Conductor;
using Bifrost.Domain.Nodes;

namespace Bifrost.Domain.Drivers.Agent;

/// <summary>Inspect interface <c>agent</c> (as in newer Ironic): boot the ramdisk, the agent posts its inventory.</summary>
public sealed class AgentInspect : IInspectInterface
{
    public string Name => "agent";

    public ValidationResult Validate(Node node) => ValidationResult.Ok;

    public async Task<StepOutcome> InspectAsync(NodeTask task, CancellationToken ct)
    {
        await RamdiskBoot.BootAsync(task, [AgentCommands.Inspect], ct);
        return StepOutcome.Wait;
    }
}
