package pipeline

// Reasons of the batch (presort) stage.

var batchReasons = map[Reason]string{}
