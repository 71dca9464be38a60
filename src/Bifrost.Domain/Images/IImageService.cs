using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;

namespace Bifrost.Domain.Images;

/// <summary>What the agent must do to the served bytes before they reach the disk.</summary>
public enum ImageStreamFormat
{
    /// <summary>Write as is.</summary>
    Raw,
    /// <summary>gunzip, then write.</summary>
    Gzip,
    /// <summary>zstd -d, then write.</summary>
    Zstd,
}

/// <summary>
/// An instance image made ready for one deploy: checksum verified against the node's instance_info, cached locally
/// when the source was remote, and exposed on the HTTP boot server as a stream the agent can write (a qcow2 image is
/// exposed as its raw view). The hash is of the bytes served at <see cref="Path"/>, so the agent verifies exactly
/// what it received, even when that is a converted view.
/// </summary>
public sealed record PreparedImage
{
    /// <summary>Absolute path on the HTTP boot server, starting with <c>/images/</c>.</summary>
    public required string Path { get; init; }
    public required ImageStreamFormat Format { get; init; }
    /// <summary>md5, sha256 or sha512: the algorithm of <see cref="HashValue"/>.</summary>
    public required string HashAlgorithm { get; init; }
    /// <summary>Lower-case hex digest of the bytes served at <see cref="Path"/>.</summary>
    public required string HashValue { get; init; }
    /// <summary>Bytes served at <see cref="Path"/>.</summary>
    public required long Size { get; init; }
    /// <summary>Bytes that reach the disk when known (raw size of a compressed or qcow2 image), else null.</summary>
    public long? DiskSize { get; init; }
    /// <summary>One line for the timeline: "cirros.qcow2: qcow2 → raw view, 112 MiB, sha256 verified".</summary>
    public required string Description { get; init; }
}

/// <summary>Prepares <c>instance_info.image_source</c> for a deploy (implemented in Bifrost.Servers).</summary>
public interface IImageService
{
    /// <summary>
    /// Validates instance_info without touching the network or disk: image_source present (an http(s) URL or a
    /// file name under StateDir/images), a checksum given the way Ironic accepts it (image_checksum, or
    /// image_os_hash_algo + image_os_hash_value). Used by the deploy interface's Validate.
    /// </summary>
    Drivers.ValidationResult Validate(Node node);

    /// <summary>
    /// Downloads (remote sources, transient errors retried) or opens (local files) the image, verifies its checksum,
    /// detects its format and returns how the agent gets it. Throws <see cref="ImageException"/> with a message an
    /// operator can act on (it becomes last_error): a checksum mismatch names the algorithm, the expected and the
    /// actual digest.
    /// </summary>
    Task<PreparedImage> PrepareAsync(Node node, CancellationToken ct);
}

/// <summary>The image cannot be used: missing, unreachable, wrong checksum, unsupported format.</summary>
public sealed class ImageException(string message, Exception? inner = null)
    : BifrostException(message, ErrorKind.Invalid, inner);
