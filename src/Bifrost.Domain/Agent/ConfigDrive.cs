using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;

namespace Bifrost.Domain.Agent;

/// <summary>A config drive as the agent gets it: a tar to put on a vfat "config-2" partition, or an ISO to dd.</summary>
public sealed record ConfigDriveContent(string Format, byte[] Bytes)
{
    public const string Tar = "tar";
    public const string Iso = "iso";
}

/// <summary>
/// <c>instance_info.configdrive</c> → what the agent writes: the dict form of <c>baremetal node deploy
/// --config-drive</c> ({meta_data, user_data, network_data}) becomes a tar of <c>openstack/latest/…</c> (the layout
/// cloud-init's ConfigDrive source reads); a string is Ironic's base64 of a gzipped ISO.
/// </summary>
public static class ConfigDrive
{
    public static bool TryBuild(JsonNode? configdrive, out ConfigDriveContent? content, out string? error)
    {
        content = null;
        error = null;
        switch (configdrive)
        {
            case null:
                return true;
            case JsonValue v when v.TryGetValue(out string? text):
                try
                {
                    using var gz = new GZipStream(new MemoryStream(Convert.FromBase64String(text)), CompressionMode.Decompress);
                    using var iso = new MemoryStream();
                    gz.CopyTo(iso);
                    content = new ConfigDriveContent(ConfigDriveContent.Iso, iso.ToArray());
                    return true;
                }
                catch (Exception e) when (e is FormatException or InvalidDataException)
                {
                    error = $"instance_info.configdrive is not a base64-encoded gzipped ISO: {e.Message}";
                    return false;
                }
            case JsonObject dict:
                content = new ConfigDriveContent(ConfigDriveContent.Tar, TarOf(dict));
                return true;
            default:
                error = "instance_info.configdrive must be an object {meta_data, user_data, network_data} or a string";
                return false;
        }
    }

    private static byte[] TarOf(JsonObject dict)
    {
        var meta = dict["meta_data"] as JsonObject ?? new JsonObject();
        var files = new List<(string Name, byte[] Bytes)>
        {
            ("openstack/latest/meta_data.json", Encoding.UTF8.GetBytes(meta.ToJsonString())),
        };
        if (dict["user_data"] is { } user)
            files.Add(("openstack/latest/user_data",
                Encoding.UTF8.GetBytes(user is JsonValue v && v.TryGetValue(out string? s) ? s : user.ToJsonString())));
        if (dict["network_data"] is JsonObject net)
            files.Add(("openstack/latest/network_data.json", Encoding.UTF8.GetBytes(net.ToJsonString())));

        using var output = new MemoryStream();
        using (var tar = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var dir in new[] { "openstack/", "openstack/latest/" })
                tar.WriteEntry(new UstarTarEntry(TarEntryType.Directory, dir) { Mode = (UnixFileMode)0x1ED }); // 0755
            foreach (var (name, bytes) in files)
                tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name)
                {
                    Mode = (UnixFileMode)0x1A4, // 0644
                    DataStream = new MemoryStream(bytes),
                });
        }
        return output.ToArray();
    }
}
