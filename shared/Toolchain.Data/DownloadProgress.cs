namespace Toolchain.Data;

/// <summary>How far one file's download has come, reported as bytes arrive.</summary>
/// <param name="FileName">The file being fetched.</param>
/// <param name="Source">The URL it is coming from.</param>
/// <param name="BytesReceived">Bytes received so far.</param>
/// <param name="TotalBytes">The size the server announced, if it did.</param>
/// <param name="Completed">True once the file is verified and in place.</param>
public readonly record struct DownloadProgress(string FileName, Uri Source, long BytesReceived, long? TotalBytes, bool Completed);
