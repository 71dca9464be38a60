using System.Text;

namespace Bifrost.Protocols.Ipxe;

/// <summary>
/// An iPXE script (https://ipxe.org/scripting): a <c>#!ipxe</c> line, then one command per line. Pure text; the boot
/// planner decides what goes in. iPXE reads a script line by line, so a value carrying a line break would start a new
/// command: every control character in a value becomes a space here, whatever its source (node names, settings).
/// </summary>
public sealed class IpxeScript
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines => _lines;

    /// <summary><c>echo TEXT</c>: shown on the node's console (and serial, which is how tests see it).</summary>
    public IpxeScript Echo(string text) => Add("echo " + Clean(text));

    /// <summary><c>kernel URI ARGS</c> (https://ipxe.org/cmd/kernel): fetch and select the image, with its command line.
    /// A URI starting with <c>/</c> resolves against the script's own URL, so the script needs no host name.</summary>
    public IpxeScript Kernel(string uri, string? args) =>
        Add(string.IsNullOrWhiteSpace(args) ? "kernel " + Clean(uri) : $"kernel {Clean(uri)} {Clean(args)}");

    /// <summary><c>initrd URI</c> (https://ipxe.org/cmd/initrd).</summary>
    public IpxeScript Initrd(string uri) => Add("initrd " + Clean(uri));

    /// <summary><c>boot</c>: run the selected image.</summary>
    public IpxeScript Boot() => Add("boot");

    /// <summary>
    /// <c>sanboot --no-describe --drive 0x80</c> (https://ipxe.org/cmd/sanboot): boot the first BIOS hard disk.
    /// <c>--no-describe</c> keeps iPXE from publishing an iBFT/ABFT for a SAN disk that does not exist.
    /// </summary>
    public IpxeScript SanbootLocalDisk(int drive = 0x80) => Add($"sanboot --no-describe --drive 0x{drive:x2}");

    /// <summary><c>exit</c>: return to the firmware, which tries its next boot device.</summary>
    public IpxeScript Exit() => Add("exit");

    /// <summary><c>sleep SECONDS</c>: lets an operator read a message before the firmware moves on.</summary>
    public IpxeScript Sleep(int seconds) => Add($"sleep {Math.Max(0, seconds)}");

    /// <summary><c>shell</c>: iPXE's interactive prompt.</summary>
    public IpxeScript Shell() => Add("shell");

    /// <summary>The script text, LF line endings, ending with a newline.</summary>
    public string Render()
    {
        var sb = new StringBuilder("#!ipxe\n");
        foreach (var line in _lines) sb.Append(line).Append('\n');
        return sb.ToString();
    }

    public override string ToString() => Render();

    private IpxeScript Add(string line)
    {
        _lines.Add(line);
        return this;
    }

    private static string Clean(string value)
    {
        if (!value.Any(char.IsControl)) return value.Trim();
        var chars = value.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
            if (char.IsControl(chars[i])) chars[i] = ' ';
        return new string(chars).Trim();
    }
}
