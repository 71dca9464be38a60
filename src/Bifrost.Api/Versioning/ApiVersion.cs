using System.Globalization;

namespace Bifrost.Api.Versioning;

/// <summary>An Ironic API microversion (1.x). Requests without a version header are served at <see cref="Min"/>.</summary>
public readonly record struct ApiVersion(int Major, int Minor) : IComparable<ApiVersion>
{
    public const string Header = "X-OpenStack-Ironic-API-Version";
    public const string MinHeader = "X-OpenStack-Ironic-API-Minimum-Version";
    public const string MaxHeader = "X-OpenStack-Ironic-API-Maximum-Version";

    public static readonly ApiVersion Min = new(1, 1);
    /// <summary>The newest version served, as Ironic 21.4 (the CLI asks for 1.78).</summary>
    public static readonly ApiVersion Max = new(1, 82);

    // Microversions that change behaviour inside the subset we serve (ironic/api/controllers/v1/versions.py).
    public static readonly ApiVersion AvailableState = new(1, 2);
    public static readonly ApiVersion DriverInternalInfo = new(1, 3);
    public static readonly ApiVersion ManageableVerbs = new(1, 4);
    public static readonly ApiVersion Names = new(1, 5);
    public static readonly ApiVersion Inspect = new(1, 6);
    public static readonly ApiVersion Fields = new(1, 8);
    public static readonly ApiVersion ProvisionStateFilter = new(1, 9);
    public static readonly ApiVersion EnrollState = new(1, 11);
    public static readonly ApiVersion Abort = new(1, 13);
    public static readonly ApiVersion Clean = new(1, 15);
    public static readonly ApiVersion DriverFilter = new(1, 16);
    public static readonly ApiVersion Adopt = new(1, 17);
    public static readonly ApiVersion SoftPower = new(1, 27);
    public static readonly ApiVersion DeployVerbs = new(1, 73);
    public static readonly ApiVersion History = new(1, 78);

    public int CompareTo(ApiVersion other) => Major != other.Major ? Major.CompareTo(other.Major) : Minor.CompareTo(other.Minor);

    public static bool operator <(ApiVersion a, ApiVersion b) => a.CompareTo(b) < 0;
    public static bool operator >(ApiVersion a, ApiVersion b) => a.CompareTo(b) > 0;
    public static bool operator <=(ApiVersion a, ApiVersion b) => a.CompareTo(b) <= 0;
    public static bool operator >=(ApiVersion a, ApiVersion b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Major}.{Minor}";

    /// <summary>Parses "1.78"; "latest" is the caller's business. False for anything not MAJOR.MINOR.</summary>
    public static bool TryParse(string? text, out ApiVersion version)
    {
        version = default;
        if (text is null) return false;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == text.Length - 1) return false;
        if (!int.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var major)) return false;
        if (!int.TryParse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var minor)) return false;
        version = new ApiVersion(major, minor);
        return true;
    }
}
