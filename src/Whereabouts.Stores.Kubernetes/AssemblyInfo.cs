using System.Runtime.CompilerServices;

// The Kubernetes store's tests reach its request layer directly (e.g. to clean a real cluster's namespace).
[assembly: InternalsVisibleTo("Whereabouts.Stores.Tests")]
