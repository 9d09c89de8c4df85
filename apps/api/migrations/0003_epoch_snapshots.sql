CREATE TABLE "epoch_snapshot_miners" (
	"epoch_id" text NOT NULL,
	"hotkey" text NOT NULL,
	"objects" jsonb NOT NULL,
	"objects_ignored" jsonb,
	CONSTRAINT "epoch_snapshot_miners_epoch_id_hotkey_pk" PRIMARY KEY("epoch_id","hotkey")
);
--> statement-breakpoint
CREATE TABLE "epoch_snapshots" (
	"epoch_id" text PRIMARY KEY NOT NULL,
	"taken_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "epoch_snapshot_miners" ADD CONSTRAINT "epoch_snapshot_miners_epoch_id_epoch_snapshots_epoch_id_fk" FOREIGN KEY ("epoch_id") REFERENCES "public"."epoch_snapshots"("epoch_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "epoch_snapshots" ADD CONSTRAINT "epoch_snapshots_epoch_id_epochs_id_fk" FOREIGN KEY ("epoch_id") REFERENCES "public"."epochs"("id") ON DELETE cascade ON UPDATE no action;