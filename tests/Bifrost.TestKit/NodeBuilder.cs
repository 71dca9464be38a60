using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;

namespace Bifrost.TestKit;

/// <summary>Minimal valid nodes and ports for tests that only care about a few fields.</summary>
public static class NodeBuilder
{
    /// <summary>A new enrolled node on the fake-hardware driver; set what the test is about on the result.</summary>
    public static Node Fake(string? name = null, TimeProvider? time = null) => new()
    {
        Uuid = Guid.NewGuid(),
        Name = name,
        Driver = "fake-hardware",
        ProvisionState = ProvisionState.Enroll,
        CreatedAt = (time ?? TimeProvider.System).GetUtcNow(),
    };

    /// <summary>A PXE-enabled port of <paramref name="node"/> with the given MAC.</summary>
    public static Port Port(Node node, string address, TimeProvider? time = null) => new()
    {
        Uuid = Guid.NewGuid(),
        NodeUuid = node.Uuid,
        Address = address,
        CreatedAt = (time ?? TimeProvider.System).GetUtcNow(),
    };
}
