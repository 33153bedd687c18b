namespace AzureMl.Client;

/// <summary>One entry of a service error's <c>details</c> list: the specific reason behind the error class.</summary>
/// <param name="Code">The specific reason, e.g. <c>BlobNotFound</c> or <c>TooManyConcurrentRequests</c>.</param>
/// <param name="Target">What the reason is about, e.g. an input name; may be <see langword="null"/>.</param>
/// <param name="Message">The service's message; may be <see langword="null"/>.</param>
public sealed record AzureMlErrorDetail(string? Code, string? Target, string? Message);
