using System.Diagnostics.CodeAnalysis;

namespace Bifrost.Domain.States;

/// <summary>
/// Ironic's provision states. The wire name (see <see cref="ProvisionStates.ToWire"/>) is what the API shows and
/// what the store persists; a test freezes both, because renaming a persisted value corrupts existing databases.
/// </summary>
public enum ProvisionState
{
    Enroll,
    Verifying,
    Manageable,
    Inspecting,
    InspectWait,
    InspectFailed,
    Cleaning,
    CleanWait,
    CleanFailed,
    Available,
    Deploying,
    DeployWait,
    DeployFailed,
    Active,
    Deleting,
    Error,
    Adopting,
    AdoptFailed,
}

public static class ProvisionStates
{
    private static readonly Dictionary<ProvisionState, string> Wire = new()
    {
        [ProvisionState.Enroll] = "enroll",
        [ProvisionState.Verifying] = "verifying",
        [ProvisionState.Manageable] = "manageable",
        [ProvisionState.Inspecting] = "inspecting",
        [ProvisionState.InspectWait] = "inspect wait",
        [ProvisionState.InspectFailed] = "inspect failed",
        [ProvisionState.Cleaning] = "cleaning",
        [ProvisionState.CleanWait] = "clean wait",
        [ProvisionState.CleanFailed] = "clean failed",
        [ProvisionState.Available] = "available",
        [ProvisionState.Deploying] = "deploying",
        [ProvisionState.DeployWait] = "wait call-back",
        [ProvisionState.DeployFailed] = "deploy failed",
        [ProvisionState.Active] = "active",
        [ProvisionState.Deleting] = "deleting",
        [ProvisionState.Error] = "error",
        [ProvisionState.Adopting] = "adopting",
        [ProvisionState.AdoptFailed] = "adopt failed",
    };

    private static readonly Dictionary<string, ProvisionState> FromWire =
        Wire.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);

    /// <summary>States a node rests in; entering one clears the target (Ironic's STABLE_STATES).</summary>
    public static readonly IReadOnlySet<ProvisionState> Stable = new HashSet<ProvisionState>
    {
        ProvisionState.Enroll, ProvisionState.Manageable, ProvisionState.Available,
        ProvisionState.Active, ProvisionState.Error,
    };

    /// <summary>States in which a node may be deleted without maintenance (Ironic's DELETE_ALLOWED_STATES).</summary>
    public static readonly IReadOnlyList<ProvisionState> DeleteAllowed =
    [
        ProvisionState.Manageable, ProvisionState.Enroll, ProvisionState.AdoptFailed, ProvisionState.Available,
    ];

    public static IEnumerable<ProvisionState> All => Wire.Keys;

    public static string ToWire(this ProvisionState state) => Wire[state];

    public static bool TryParse(string? wire, out ProvisionState state)
    {
        state = default;
        return wire is not null && FromWire.TryGetValue(wire, out state);
    }

    public static ProvisionState Parse(string wire) =>
        TryParse(wire, out var s) ? s : throw new FormatException($"Unknown provision state '{wire}'.");

    public static bool IsStable(this ProvisionState s) => Stable.Contains(s);

    [SuppressMessage("Style", "IDE0072", Justification = "Only transient states with a declared target are listed.")]
    internal static ProvisionState? DeclaredTarget(ProvisionState s) => s switch
    {
        // Ironic's machine.add_state(..., target=...): failure states keep pointing at what was asked for.
        ProvisionState.Verifying => ProvisionState.Manageable,
        ProvisionState.Inspecting or ProvisionState.InspectWait or ProvisionState.InspectFailed => ProvisionState.Manageable,
        ProvisionState.Deploying or ProvisionState.DeployWait or ProvisionState.DeployFailed => ProvisionState.Active,
        ProvisionState.Deleting => ProvisionState.Available,
        ProvisionState.Adopting or ProvisionState.AdoptFailed => ProvisionState.Active,
        // Cleaning's target is chosen by who started it: available (provide, undeploy) or manageable (manual).
        _ => null,
    };
}
